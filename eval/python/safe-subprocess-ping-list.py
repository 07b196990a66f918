import ipaddress
import subprocess
from django.http import JsonResponse


def ping_host(request):
    host = str(ipaddress.ip_address(request.GET.get("host", "127.0.0.1")))
    result = subprocess.run(["ping", "-c", "3", host], capture_output=True, timeout=10)
    return JsonResponse({"result": result.stdout.decode(errors="replace")})
