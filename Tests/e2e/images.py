"""Builds small busybox images for the tests, from Debian's busybox-static: an OCI image
layout (two layers, the second with a whiteout and an opaque directory) and the same image
as a `docker save` tarball."""
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile

BUSYBOX = shutil.which("busybox") or "/bin/busybox"
APPLETS = ["sh", "echo", "cat", "ls", "sleep", "env", "id", "hostname", "wget", "nc", "true", "false", "ps", "httpd", "test", "touch", "rm", "mkdir", "head", "tail", "sed", "nslookup", "[", "printf", "grep", "md5sum", "tr", "wc", "stty"]


def _tar(entries):
    """entries: (name, kind, payload) with kind 'file' (bytes, mode), 'dir', 'link' (target)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, payload
                tar.addfile(info)
            else:
                data, mode = payload
                info.size, info.mode = len(data), mode
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def layers():
    busybox = open(BUSYBOX, "rb").read()
    base = [("bin", "dir", None), ("bin/busybox", "file", (busybox, 0o755))]
    base += [(f"bin/{a}", "link", "busybox") for a in APPLETS]
    base += [("etc", "dir", None), ("etc/passwd", "file", (b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n", 0o644)),
             ("etc/group", "file", (b"root:x:0:\nnogroup:x:65534:\n", 0o644)),
             ("data", "dir", None), ("data/old1", "file", (b"1", 0o644)), ("data/old2", "file", (b"2", 0o644)),
             ("gone", "file", (b"soon deleted", 0o644)), ("tmp", "dir", None)]
    top = [("etc", "dir", None), ("etc/hello", "file", (b"hello from layer 2\n", 0o644)), (".wh.gone", "file", (b"", 0o644)),
           ("data", "dir", None), ("data/.wh..wh..opq", "file", (b"", 0o644)), ("data/new", "file", (b"new", 0o644))]
    return _tar(base), _tar(top)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config(diff_ids):
    return json.dumps({"architecture": "amd64", "os": "linux",
                       "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}, sort_keys=True).encode()


def oci_layout(path, name="docker.io/library/busybox:test", corrupt=False):
    os.makedirs(f"{path}/blobs/sha256", exist_ok=True)

    def put(data):
        digest = sha(data)
        with open(f"{path}/blobs/sha256/{digest[7:]}", "wb") as f:
            f.write(data + (b"x" if corrupt and len(data) > 100000 else b""))
        return {"digest": digest, "size": len(data)}

    base, top = layers()
    base_gz = gzip.compress(base, mtime=0)
    cfg = put(config([sha(base), sha(top)]))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **put(base_gz)},
                           {"mediaType": "application/vnd.oci.image.layer.v1.tar", **put(top)}]}
    m = put(json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **m,
                                                "annotations": {"io.containerd.image.name": name,
                                                                "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}}]}
    with open(f"{path}/index.json", "w") as f:
        json.dump(index, f)
    with open(f"{path}/oci-layout", "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    return path


def docker_archive(path, tags=("skiff.test/box:1",)):
    base, top = layers()
    cfg = config([sha(base), sha(top)])
    files = {f"{sha(cfg)[7:]}.json": cfg, "l1/layer.tar": base, "l2/layer.tar": top,
             "manifest.json": json.dumps([{"Config": f"{sha(cfg)[7:]}.json", "RepoTags": list(tags),
                                           "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()}
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
