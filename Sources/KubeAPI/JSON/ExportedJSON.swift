// The JSON value tree, parser and serializer live in SkiffJSON so that small executables
// (skiff-cni) can use them without KubeAPI's networking and Foundation. Every user of
// KubeAPI keeps seeing them as before.
@_exported import SkiffJSON
