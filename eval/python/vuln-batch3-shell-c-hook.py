# corgi-expect: python-shell-dash-c-nonconstant
import subprocess


def run_hook(hook):
    script = hook.config["script"]
    return subprocess.run(["/bin/sh", "-c", script], check=True, timeout=60)
