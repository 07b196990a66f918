"""The container image: scripts/build-image packs it without an engine, and it runs.

The image is built here from the binary the suite already built (no second Swift build), unpacked
with umoci, and checked file by file; then `corgi serve` is started *from its root filesystem* as
the Helm chart's StatefulSet runs it, and reviews a pull request of the GitHub double end to end:

- root filesystem: the unpacked image, bind-mounted onto itself read-only (the chart's
  readOnlyRootFilesystem), with a fresh /proc, a /dev of null, zero, full, random and urandom, a
  tmpfs at /tmp, the settings at /etc/corgi, the secret files read-only at /var/run/secrets/corgi
  and a data directory at /var/lib/corgi (the chart's paths), in its own mount and PID namespaces
  (`unshare`; corgi is PID 1 there, as in a pod) and chrooted, as uid and gid 65532;
- network: shared with the test, so corgi reaches the GitHub double on 127.0.0.1.

What runs where, honestly:
- CI (scripts/test) packs the *debug* binary (CORGI_BIN). A debug build links the Swift runtime
  dynamically, so that image also carries the toolchain's libswift*.so from /opt/swift (ldd lists
  them); every check below runs on it all the same: the image holds whatever ldd lists.
- The release image (`scripts/build-image` with no --binary: `swift build -c release
  --static-swift-stdlib`) has no Swift library at all. test_release_binary_links_no_swift_runtime
  checks that where .build-static/release/corgi exists (skipped otherwise, also in CI), and this
  whole module runs on the release binary with
  `CORGI_IMAGE_BINARY=.build-static/release/corgi python3 -m pytest tests/deploy/test_image.py`.

Building needs root (the files must belong to root and 65532), umoci, skopeo (a second, independent
reader of the layout), unshare, chroot and mount; scripts/setup installs umoci and skopeo. Without
them these tests skip, and fail under CORGI_REQUIRE_SERVERS=1 (scripts/test, CI).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import pathlib
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "service"))

from corgi_service import CorgiService, fixture_payload, github_settings, launch  # noqa: E402
from double_testing import checked  # noqa: E402
from github_double import GitHubDouble  # noqa: E402

USER_ID = 65532
PREFIX = "/opt/code-corgi"
BUNDLE = "CodeCorgi_CorgiDetection.resources"
RELEASE_BINARY = ROOT / ".build-static" / "release" / "corgi"
STATIC_BUILD = "swift build -c release --static-swift-stdlib --product corgi --scratch-path .build-static"
# The chart's paths (deploy/helm/code-corgi/templates/_helpers.tpl, values.yaml secrets.mountPath).
CONFIG_DIR, SECRETS_DIR, DATA_DIR = "/etc/corgi", "/var/run/secrets/corgi", "/var/lib/corgi"
# What the chart sets in every container's environment.
CHART_ENVIRONMENT = {"CORGI_CACHE_DIR": "/tmp/corgi-cache"}


def require(condition: bool, message: str):
    """A missing tool skips the test, or fails it when tools are required (scripts/test)."""
    if condition:
        return
    if os.environ.get("CORGI_REQUIRE_SERVERS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def image_binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("CORGI_IMAGE_BINARY") or os.environ.get("CORGI_BIN")
                        or ROOT / ".build" / "debug" / "corgi")
    require(path.exists(), f"corgi binary not found at {path}: build first (scripts/test does)")
    return path.resolve()


def require_tools():
    require(os.geteuid() == 0, "building and starting the image needs root (files owned by root and 65532, chroot)")
    for tool, source in [("umoci", "scripts/setup installs it from Debian"),
                         ("skopeo", "scripts/setup installs it from Debian"),
                         ("unshare", "util-linux"), ("chroot", "coreutils"), ("mount", "mount"),
                         ("ldd", "libc-bin"), ("strip", "binutils"), ("dpkg-query", "dpkg")]:
        require(shutil.which(tool) is not None, f"{tool} is missing ({source})")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The image packed by scripts/build-image from the suite's binary: (layout, tag, seconds)."""
    require_tools()
    binary = image_binary()
    out = tmp_path_factory.mktemp("image")
    started = time.monotonic()
    result = subprocess.run([str(ROOT / "scripts" / "build-image"), "--binary", str(binary), "--out", str(out), "--archive"],
                            capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    index = json.loads((out / "oci" / "index.json").read_text())
    tag = index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]
    yield out / "oci", tag, seconds
    shutil.rmtree(out, ignore_errors=True)  # ~100 MB; pytest would keep it for three runs


@pytest.fixture(scope="module")
def unpacked(image, tmp_path_factory):
    """The image's root filesystem and runtime configuration, as umoci unpacks them."""
    layout, tag, _ = image
    bundle = tmp_path_factory.mktemp("bundle") / "bundle"
    result = subprocess.run(["umoci", "unpack", "--image", f"{layout}:{tag}", str(bundle)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    yield bundle / "rootfs", json.loads((bundle / "config.json").read_text())
    shutil.rmtree(bundle.parent, ignore_errors=True)  # ~200 to 300 MB unpacked


def blob(layout: pathlib.Path, descriptor: dict) -> bytes:
    """A blob, checked against its descriptor's digest and size."""
    algorithm, digest = descriptor["digest"].split(":")
    assert algorithm == "sha256"
    data = (layout / "blobs" / "sha256" / digest).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest, descriptor
    assert len(data) == descriptor["size"], descriptor
    return data


def manifest_and_config(layout: pathlib.Path) -> tuple[dict, dict]:
    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(blob(layout, index["manifests"][0]))
    return manifest, json.loads(blob(layout, manifest["config"]))


def inside(root: pathlib.Path, path: str) -> pathlib.Path | None:
    """`path` resolved as the image sees it (its symlinks followed within `root`), or None."""
    parts = [part for part in path.split("/") if part]
    current = pathlib.PurePosixPath("/")
    for _ in range(40):
        resolved = True
        for position, part in enumerate(parts):
            candidate = current / part
            host = root / str(candidate).lstrip("/")
            if host.is_symlink():
                target = os.readlink(host)
                base = pathlib.PurePosixPath("/") if target.startswith("/") else current
                parts = [p for p in (str(base / target) + "/" + "/".join(parts[position + 1:])).split("/") if p]
                current = pathlib.PurePosixPath("/")
                resolved = False
                break
            if part == "..":
                current = current.parent
            elif part != ".":
                current = candidate
        if resolved:
            host = root / str(current).lstrip("/")
            return host if host.exists() else None
    return None


def ldd(binary: pathlib.Path) -> list[str]:
    """The absolute paths the loader maps for `binary` on this machine."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True, env=environment).stdout
    assert "not found" not in output, output
    return re.findall(r"(?:=> |^\s*)(/\S+) \(0x", output, re.M)


# ---------------------------------------------------------------------------------------------
# Running the image's root filesystem, as a pod would.

NAMESPACE_SCRIPT = r"""
set -eu
root=$1; shift
mount --bind "$root" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
for device in null zero full random urandom; do
    : > "$root/dev/$device"
    mount --bind "/dev/$device" "$root/dev/$device"
done
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"
while [ "$1" != -- ]; do
    source=${1%%|*}; rest=${1#*|}; target=${rest%%|*}; mode=${rest#*|}
    mount --bind "$source" "$root$target"
    if [ "$mode" = ro ]; then mount -o remount,bind,ro,nosuid,nodev "$root$target"; fi
    shift
done
shift
mount -o remount,bind,ro "$root"
exec "$@"
"""


def in_image(rootfs: pathlib.Path, command: list[str], environment: dict[str, str],
             mounts: list[tuple[pathlib.Path, str, str]] = ()) -> list[str]:
    """The argv that runs `command` from `rootfs` read-only, as uid/gid 65532, with exactly
    `environment`, in new mount and PID namespaces (the network is this machine's)."""
    for directory in ["proc", "dev", "tmp", *(target.lstrip("/") for _, target, _ in mounts)]:
        (rootfs / directory).mkdir(parents=True, exist_ok=True)  # mount points (a runtime makes them too)
    return ["unshare", "--mount", "--pid", "--fork", "--kill-child", "/bin/sh", "-c", NAMESPACE_SCRIPT, "sh", str(rootfs),
            *(f"{source}|{target}|{mode}" for source, target, mode in mounts), "--",
            shutil.which("env"), "-i", *(f"{k}={v}" for k, v in environment.items()),
            shutil.which("chroot"), f"--userspec={USER_ID}:{USER_ID}", f"--groups={USER_ID}", str(rootfs), *command]


def image_environment(runtime: dict) -> dict[str, str]:
    """The environment the image gives its process (umoci's runtime configuration of it, TERM
    aside) plus the chart's."""
    environment = dict(item.split("=", 1) for item in runtime["process"]["env"] if not item.startswith("TERM="))
    return {**environment, **CHART_ENVIRONMENT}


def test_build_takes_the_binary_given_and_packs_one_image(image, unpacked):
    layout, tag, seconds = image
    rootfs, _ = unpacked
    version = subprocess.run([str(image_binary()), "--version"], capture_output=True, text=True, check=True).stdout.split()
    assert tag == version[0], "tagged with the version corgi prints (the chart's appVersion)"
    packed = inside(rootfs, f"{PREFIX}/corgi")
    assert packed is not None and os.access(packed, os.X_OK)
    assert seconds < 300, f"the image took {seconds:.0f} s to build"


def test_the_layout_is_a_valid_oci_image(image):
    """Every descriptor's digest and size, the layer's diff_id, the media types; then skopeo (an
    independent implementation) reads the same image; the archive holds the same layout."""
    layout, tag, _ = image
    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    assert index["schemaVersion"] == 2 and len(index["manifests"]) == 1
    descriptor = index["manifests"][0]
    assert descriptor["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    manifest, config = manifest_and_config(layout)
    assert manifest["schemaVersion"] == 2 and manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    assert len(manifest["layers"]) == 1 and manifest["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    layer = gzip.decompress(blob(layout, manifest["layers"][0]))
    assert config["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}
    assert config["os"] == "linux"
    assert config["architecture"] == {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    referenced = {d["digest"].split(":")[1] for d in [descriptor, manifest["config"], *manifest["layers"]]}
    assert {p.name for p in (layout / "blobs" / "sha256").iterdir()} == referenced, "no stray blobs"

    inspected = subprocess.run(["skopeo", "inspect", f"oci:{layout}:{tag}"], capture_output=True, text=True, timeout=60)
    assert inspected.returncode == 0, inspected.stderr
    seen = json.loads(inspected.stdout)
    assert seen["Digest"] == descriptor["digest"] and seen["Layers"] == [manifest["layers"][0]["digest"]]
    assert seen["Labels"]["org.opencontainers.image.version"] == tag

    with tarfile.open(layout.parent / f"code-corgi-{tag}.oci.tar") as archive:
        assert json.load(archive.extractfile("./index.json")) == index
        assert archive.extractfile("./oci-layout").read() == (layout / "oci-layout").read_bytes()


def test_the_image_runs_as_corgi_never_root(image, unpacked):
    layout, _, _ = image
    rootfs, runtime = unpacked
    _, config = manifest_and_config(layout)
    assert config["config"]["User"] == f"{USER_ID}:{USER_ID}"
    assert runtime["process"]["user"]["uid"] == USER_ID and runtime["process"]["user"]["gid"] == USER_ID
    passwd = [line.split(":") for line in (rootfs / "etc" / "passwd").read_text().splitlines()]
    assert [USER_ID, USER_ID] in [[int(e[2]), int(e[3])] for e in passwd if e[0] == "corgi"]
    assert f"corgi:x:{USER_ID}:" in (rootfs / "etc" / "group").read_text()
    # The chart's default identity is the image's user.
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "code-corgi" / "values.yaml").read_text())["podSecurity"]
    assert (values["runAsUser"], values["runAsGroup"], values["fsGroup"]) == (USER_ID,) * 3
    # Root owns every file, none is writable by corgi but its home and /tmp, nothing is setuid.
    for path in [rootfs, *rootfs.rglob("*")]:
        info = path.lstat()
        relative = "/" + str(path.relative_to(rootfs)) if path != rootfs else "/"
        if relative in ("/home/corgi", "/tmp") or path.is_symlink():
            continue
        assert (info.st_uid, info.st_gid) == (0, 0), relative
        assert not info.st_mode & 0o022, f"{relative} is writable by others ({oct(info.st_mode)})"
        assert not info.st_mode & 0o6000, f"{relative} is setuid or setgid"
    assert (rootfs / "home" / "corgi").stat().st_uid == USER_ID


def test_the_image_has_no_shell(unpacked):
    rootfs, _ = unpacked
    shells = {"sh", "bash", "dash", "ash", "zsh", "busybox", "toybox"}
    assert not [p for p in rootfs.rglob("*") if p.name in shells]
    for directory in ("bin", "sbin", "usr/bin", "usr/sbin"):
        assert inside(rootfs, "/" + directory) is None, f"/{directory} exists"
    assert sorted(p.name for p in (rootfs / "usr" / "local" / "bin").iterdir()) == ["corgi"]
    assert os.readlink(rootfs / "usr" / "local" / "bin" / "corgi") == f"{PREFIX}/corgi"


def test_every_library_the_binary_needs_is_inside(unpacked):
    """Each path ldd lists here exists in the image, and the image's own loader, run inside it,
    finds every library in it."""
    rootfs, _ = unpacked
    for path in ldd(image_binary()):
        assert inside(rootfs, path) is not None, f"{path} is missing from the image"
    listed = subprocess.run(["chroot", str(rootfs), "/lib64/ld-linux-x86-64.so.2" if platform.machine() == "x86_64"
                             else "/lib/ld-linux-aarch64.so.1", "--list", f"{PREFIX}/corgi"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "not found" not in listed.stdout, listed.stdout + listed.stderr
    # The CA bundle swift-nio-ssl reads, and each Debian package's licence beside its record.
    assert "BEGIN CERTIFICATE" in (rootfs / "etc" / "ssl" / "certs" / "ca-certificates.crt").read_text()
    records = sorted(p.name for p in (rootfs / "var" / "lib" / "dpkg" / "status.d").iterdir())
    assert "libc6" in records and "ca-certificates" in records
    for package in records:
        assert (rootfs / "usr" / "share" / "doc" / package / "copyright").is_file(), package


def test_the_rule_packs_load_from_the_bundle_beside_the_binary(unpacked):
    """The image has no source tree to fall back on: the packs come from the resource bundle, and
    a scan from the read-only image finds a secret and a code finding."""
    rootfs, runtime = unpacked
    assert (rootfs / PREFIX.lstrip("/") / BUNDLE / "Rules" / "secrets").is_dir()
    assert not (rootfs / str(ROOT).lstrip("/")).exists()
    diff = ("diff --git a/app/load.py b/app/load.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/load.py\n"
            "@@ -0,0 +1,3 @@\n+import yaml\n+TOKEN = \"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\"\n+data = yaml.load(stream)\n")
    environment = {**image_environment(runtime), "XDG_CONFIG_HOME": "/tmp"}  # the scan's fingerprint key
    result = subprocess.run(in_image(rootfs, ["corgi", "scan", "--format", "json", "-"], environment),
                            input=diff, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # findings at or above the fail-on severity
    rules = sorted(f["rule_id"] for f in json.loads(result.stdout)["findings"])
    assert rules == ["github-pat-classic", "python-yaml-unsafe-load"], rules
    version = subprocess.run(in_image(rootfs, ["corgi", "--version"], environment), capture_output=True, text=True, timeout=60)
    assert version.stdout == subprocess.run([str(image_binary()), "--version"], capture_output=True, text=True).stdout


# ---------------------------------------------------------------------------------------------
# corgi serve from the image, against the GitHub double.

REPO, NUMBER, INSTALLATION, SHA = "Codertocat/Hello-World", 2, 1, "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
GITHUB_TOKEN = "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"
DIFF = ("diff --git a/app/settings.py b/app/settings.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/settings.py\n"
        f"@@ -0,0 +1,2 @@\n+import os\n+GITHUB_TOKEN = \"{GITHUB_TOKEN}\"\n"
        "diff --git a/app/load.py b/app/load.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/load.py\n"
        "@@ -0,0 +1,3 @@\n+import yaml\n+def load(stream):\n+    return yaml.load(stream)\n")


class ImageService(CorgiService):
    """`corgi serve` started from the image's root filesystem with the chart's paths: settings in
    /etc/corgi, secret files read-only in /var/run/secrets/corgi, data in /var/lib/corgi."""

    def __init__(self, workdir: pathlib.Path, github, rootfs: pathlib.Path, environment: dict[str, str]):
        super().__init__(workdir, github)  # the secret files, in workdir/secrets
        self.rootfs, self.environment = rootfs, environment
        config, data = workdir / "config", workdir / "data"
        config.mkdir()
        data.mkdir(mode=0o700)
        (config / "corgi.yml").write_text(f"""
server:
  host: 127.0.0.1
  port: {self.port}
{github_settings(github)}storage:
  database: {DATA_DIR}/corgi.sqlite
  objects: {DATA_DIR}/objects
secrets:
  directory: {SECRETS_DIR}
worker:
  lease_seconds: 30
  retry_base_seconds: 1
logging:
  level: debug
""")
        for path in [data, self.secrets_dir, *self.secrets_dir.iterdir()]:  # as the pod's fsGroup makes them
            os.chown(path, USER_ID, USER_ID)
        self.database = data / "corgi.sqlite"
        self.mounts = [(config, CONFIG_DIR, "ro"), (self.secrets_dir, SECRETS_DIR, "ro"), (data, DATA_DIR, "rw")]
        self.pid: int | None = None

    def start(self, timeout: float = 60) -> "ImageService":
        argv = in_image(self.rootfs, ["corgi", "serve", "--config", f"{CONFIG_DIR}/corgi.yml"], self.environment, self.mounts)
        self.process, self.log_lines, self._listening = launch(argv, '"corgi serve listening"', timeout)
        children = pathlib.Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        assert len(children) == 1, children
        self.pid = int(children[0])  # corgi itself: sh, env and chroot exec'd it
        return self

    def stop(self) -> int:
        """SIGTERM to corgi (PID 1 of its namespace; unshare forwards no signal) and its exit status."""
        if self.process and self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()  # --kill-child takes corgi with it
                self.process.wait()
        return self.process.returncode if self.process else 0


@pytest.fixture
def github():
    double = GitHubDouble(app_id=12345).start()
    yield from checked(double, "the GitHub double recorded violations of the documented API")


def test_corgi_serve_from_the_image_reviews_a_pull_request(unpacked, github, tmp_path):
    rootfs, runtime = unpacked
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA, "master", DIFF)
    service = ImageService(tmp_path, github, rootfs, image_environment(runtime))
    with service:
        # It runs as corgi, from the image's binary, in the image's root.
        status = dict(line.split(":\t", 1) for line in pathlib.Path(f"/proc/{service.pid}/status").read_text().splitlines()
                      if ":\t" in line)
        assert status["Uid"].split() == [str(USER_ID)] * 4 and status["Gid"].split() == [str(USER_ID)] * 4
        assert status["Groups"].split() in ([], [str(USER_ID)])
        assert os.readlink(f"/proc/{service.pid}/root") == str(rootfs)
        assert os.readlink(f"/proc/{service.pid}/exe") == str(rootfs) + f"{PREFIX}/corgi"

        payload = fixture_payload("pull_request", "opened.json")
        payload["pull_request"]["head"]["sha"] = SHA
        status_code, body = service.deliver("pull_request", json.dumps(payload).encode(), delivery="image-opened")
        assert (status_code, body.get("status")) == (202, "queued"), body
        github.wait_for(lambda d: [r for r in d.check_runs.values() if r["head_sha"] == SHA and r.get("status") == "completed"])
        run = next(r for r in github.check_runs.values() if r.get("status") == "completed")
        assert run["conclusion"] == "failure"
        assert sorted((a["path"], a["start_line"]) for a in run["annotations"]) == [("app/load.py", 3), ("app/settings.py", 2)]
        assert len(github.review_comments) == 2 and len(github.issue_comments) == 1
        assert github.calls("POST", r"/access_tokens$"), "the installation token was fetched with the app's JWT"
        service.wait_idle()
    assert service.stop() == 0, "\n".join(service.log_lines[-20:])
    assert service.database.exists(), "the database is on the data volume, the only writable path"
    logs = "\n".join(service.log_lines)
    assert GITHUB_TOKEN not in logs and GITHUB_TOKEN[4:] not in logs and service.webhook_secret not in logs
    assert any('"msg":"review published"' in line for line in service.log_lines)


# ---------------------------------------------------------------------------------------------
# The Containerfile builds the same image; the README names what the binary links.

def containerfile_final_stage() -> dict[str, list[str]]:
    text = (ROOT / "Containerfile").read_text().replace("\\\n", " ")
    stages = re.split(r"^FROM ", text, flags=re.M)
    assert "scripts/build-image --binary .build-static/release/corgi --rootfs-only /rootfs" in stages[-2]
    assert STATIC_BUILD in stages[-2], "the builder runs the README's release build"
    instructions: dict[str, list[str]] = {}
    for line in stages[-1].splitlines()[1:]:
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword, []).append(rest.strip())
    return instructions


def test_the_containerfile_builds_the_same_image(image):
    layout, _, _ = image
    _, config = manifest_and_config(layout)
    settings = config["config"]
    final = containerfile_final_stage()
    assert final["USER"] == [settings["User"]]
    assert final["ENV"] == [" ".join(settings["Env"])]
    assert final["WORKDIR"] == [settings["WorkingDir"]]
    assert final["EXPOSE"] == [" ".join(settings["ExposedPorts"])]
    assert [json.loads(v) for v in final["ENTRYPOINT"]] == [settings["Entrypoint"]]
    assert [json.loads(v) for v in final["CMD"]] == [settings["Cmd"]]
    labels = dict(re.findall(r'([\w.]+)="([^"]*)"', final["LABEL"][0]))
    for key in ("org.opencontainers.image.title", "org.opencontainers.image.description"):
        assert labels[key] == settings["Labels"][key]
    assert set(labels) <= set(settings["Labels"])
    script = (ROOT / "scripts" / "build-image").read_text()
    assert STATIC_BUILD in script, "the script's default build is the README's"
    assert STATIC_BUILD in " ".join((ROOT / "README.md").read_text().split()), "the README names the same build"


def readme_packages() -> set[str]:
    """The Debian packages the README says a release binary needs."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- runtime-packages -->(.*?)<!-- /runtime-packages -->", text, re.S)
    assert match, "README.md lists the runtime packages between <!-- runtime-packages --> markers"
    return set(re.findall(r"`([a-z0-9][a-z0-9.+-]+)`", match.group(1)))


def debian_packages(libraries: list[str]) -> set[str]:
    packages = set()
    for library in libraries:
        for candidate in (library, os.path.realpath(library), "/usr" + library):
            owner = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
            if owner.returncode == 0:
                packages.add(owner.stdout.split(":")[0])
                break
        else:
            raise AssertionError(f"{library} belongs to no Debian package")
    return packages


def test_the_readme_names_exactly_the_debian_libraries_corgi_links():
    """Runs in CI on the debug binary: it links the same Debian libraries as the release binary,
    plus the Swift toolchain's own (which the release binary carries inside)."""
    require(shutil.which("dpkg-query") is not None, "dpkg-query is missing")
    libraries = [path for path in ldd(image_binary()) if not path.startswith("/opt/swift/")
                 and not os.path.basename(path).startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime"))]
    needed, listed = debian_packages(libraries), readme_packages()
    optional = {"libhyperscan5"} if platform.machine() != "x86_64" else set()  # x86-64 only
    assert needed <= listed and listed - needed <= optional, f"README lists {sorted(listed)}; corgi links {sorted(needed)}"


def test_release_binary_links_no_swift_runtime():
    """Only where the release binary was built (scripts/build-image, or the README's command);
    CI builds the debug binary alone and skips this."""
    binary = pathlib.Path(os.environ.get("CORGI_RELEASE_BIN") or RELEASE_BINARY)
    if not binary.exists():
        pytest.skip(f"no release binary at {binary} (CI builds the debug binary only; `scripts/build-image` builds it)")
    libraries = ldd(binary)
    swift = [path for path in libraries if re.search(r"/libswift|/libFoundation|/lib_Foundation|/libdispatch|/libBlocksRuntime|/opt/swift/", path)]
    assert not swift, f"{binary} links the Swift runtime dynamically: {swift}"
    assert debian_packages(libraries) <= readme_packages()
