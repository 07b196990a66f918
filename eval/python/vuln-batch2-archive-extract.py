import subprocess
from pathlib import Path


def extract_upload(archive_path: str, target_dir: str) -> None:
    Path(target_dir).mkdir(parents=True, exist_ok=True)
    subprocess.run("unzip -o " + archive_path + " -d " + target_dir, shell=True, check=True)
