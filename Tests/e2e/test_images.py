"""`skiff image`: OCI image layouts (directory or tar) and `docker save` tarballs imported
into the node's store with every blob checked against its digest, names normalised as
containerd does, and an image's layers applied into a runnable root filesystem with
whiteouts honoured. Bad archives are refused and leave nothing behind."""
import os
import subprocess
import tarfile

from conftest import skiff_binary
from images import docker_archive, oci_layout


def skiff_image(root, *args):
    return subprocess.run([skiff_binary(), "image", *args, "--root-dir", str(root)], capture_output=True, text=True, timeout=60)


def test_oci_layout_import_and_rootfs(tmp_path):
    layout = oci_layout(str(tmp_path / "layout"))
    p = skiff_image(tmp_path / "agent", "import", layout)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("docker.io/library/busybox:test sha256:")
    listed = skiff_image(tmp_path / "agent", "ls").stdout
    assert "docker.io/library/busybox:test" in listed

    # The short name resolves as containerd's would.
    p = skiff_image(tmp_path / "agent", "rootfs", "busybox:test")
    assert p.returncode == 0, p.stderr
    rootfs = p.stdout.strip()
    assert os.path.isfile(f"{rootfs}/bin/busybox") and os.readlink(f"{rootfs}/bin/sh") == "busybox"
    assert not os.path.exists(f"{rootfs}/gone")                       # whiteout
    assert sorted(os.listdir(f"{rootfs}/data")) == ["new"]            # opaque directory
    assert open(f"{rootfs}/etc/hello").read() == "hello from layer 2\n"
    assert not any(n.startswith(".wh.") for _, dirs, files in os.walk(rootfs) for n in dirs + files)
    # It runs.
    out = subprocess.run(["chroot", rootfs, "/bin/sh", "-c", "echo hi from $(cat /etc/hello | cut -c1-5)"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "hi from hello"
    # Prepared once: the same path again.
    assert skiff_image(tmp_path / "agent", "rootfs", "docker.io/library/busybox:test").stdout.strip() == rootfs


def test_layout_tarball_and_docker_save(tmp_path):
    layout = oci_layout(str(tmp_path / "layout"), name="registry.local:5000/team/box:2")
    with tarfile.open(tmp_path / "layout.tar", "w") as tar:
        tar.add(layout, arcname=".")
    assert skiff_image(tmp_path / "agent", "import", str(tmp_path / "layout.tar")).returncode == 0
    archive = docker_archive(str(tmp_path / "saved.tar"), tags=("skiff.test/box:1", "box"))
    p = skiff_image(tmp_path / "agent", "import", archive)
    assert p.returncode == 0, p.stderr
    listed = skiff_image(tmp_path / "agent", "ls").stdout
    for name in ("registry.local:5000/team/box:2", "skiff.test/box:1", "docker.io/library/box:latest"):
        assert name in listed
    rootfs = skiff_image(tmp_path / "agent", "rootfs", "box").stdout.strip()
    assert sorted(os.listdir(f"{rootfs}/data")) == ["new"]


def test_bad_archives_are_refused_and_leave_nothing(tmp_path):
    corrupt = oci_layout(str(tmp_path / "corrupt"), corrupt=True)
    p = skiff_image(tmp_path / "agent", "import", corrupt)
    assert p.returncode != 0 and "does not match its digest" in p.stderr
    assert "busybox" not in skiff_image(tmp_path / "agent", "ls").stdout
    blobs = tmp_path / "agent" / "images" / "blobs" / "sha256"
    assert os.listdir(blobs) == []
    assert os.listdir(tmp_path / "agent" / "images" / "tmp") == []

    junk = tmp_path / "junk"
    junk.write_bytes(b"not an image")
    p = skiff_image(tmp_path / "agent", "import", str(junk))
    assert p.returncode != 0 and "neither a directory nor a tar archive" in p.stderr
    unnamed = docker_archive(str(tmp_path / "unnamed.tar"), tags=())
    p = skiff_image(tmp_path / "agent", "import", unnamed)
    assert p.returncode != 0 and "give it a name" in p.stderr
    assert skiff_image(tmp_path / "agent", "import", unnamed, "--name", "named:1").returncode == 0
    p = skiff_image(tmp_path / "agent", "rootfs", "nothere:1")
    assert p.returncode != 0 and "no image docker.io/library/nothere:1" in p.stderr
