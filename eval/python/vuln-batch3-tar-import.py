# corgi-expect: python-tarfile-extractall-unfiltered
import tarfile
from pathlib import Path


def import_bundle(upload_path: str, workdir: Path) -> list[str]:
    with tarfile.open(upload_path, "r:gz") as bundle_tar:
        bundle_tar.extractall(workdir)
    return sorted(p.name for p in workdir.iterdir())
