#!/usr/bin/env python3
import subprocess
import sys
from datetime import date
from pathlib import Path


def backup(project_dir, name):
    archive = Path("/var/backups") / f"{name}-{date.today().isoformat()}.tar.gz"
    subprocess.run(["tar", "czf", str(archive), project_dir], check=True)
    return archive


if __name__ == "__main__":
    print(backup(sys.argv[1], sys.argv[2]))
