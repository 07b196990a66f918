import zipfile
from pathlib import Path


def extract_upload(archive_path: str, target_dir: str) -> None:
    target = Path(target_dir).resolve()
    with zipfile.ZipFile(archive_path) as zf:
        for member in zf.namelist():
            if not (target / member).resolve().is_relative_to(target):
                raise ValueError(f"unsafe path in archive: {member}")
        zf.extractall(target)
