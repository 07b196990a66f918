# corgi-expect: python-paramiko-exec-command-formatted
def tail_remote_log(ssh_client, service_name: str, lines: int = 200) -> str:
    _, stdout, _ = ssh_client.exec_command(f"journalctl -u {service_name} -n {lines}")
    return stdout.read().decode()
