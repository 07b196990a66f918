#!/usr/bin/env python3
import os
import sys
from datetime import date


def backup(project_dir, name):
    archive = "/var/backups/%s-%s.tar.gz" % (name, date.today().isoformat())
    os.system("tar czf %s %s" % (archive, project_dir))
    return archive


if __name__ == "__main__":
    print(backup(sys.argv[1], sys.argv[2]))
