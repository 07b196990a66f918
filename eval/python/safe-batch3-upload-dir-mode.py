import os

SPOOL = "/var/spool/exporter"


def prepare_spool(job_id: str) -> str:
    path = os.path.join(SPOOL, job_id)
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o750)
    return path
