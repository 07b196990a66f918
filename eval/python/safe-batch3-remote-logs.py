import shlex


def tail_remote_log(ssh_client, service_name: str, lines: int = 200) -> str:
    command = "journalctl -u %s -n %d" % (shlex.quote(service_name), int(lines))
    _, stdout, _ = ssh_client.exec_command(command)
    return stdout.read().decode()
