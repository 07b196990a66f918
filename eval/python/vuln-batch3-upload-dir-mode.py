# corgi-expect: python-chmod-world-writable
import os
import stat

SPOOL = "/var/spool/exporter"


def prepare_spool(job_id: str) -> str:
    path = os.path.join(SPOOL, job_id)
    os.makedirs(path, exist_ok=True)
    # let the renderer workers (same group) drop files in here
    os.chmod(path, 0o775)
    return path
