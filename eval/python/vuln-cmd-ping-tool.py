import subprocess
from django.http import JsonResponse


def ping_host(request):
    host = request.GET.get("host", "127.0.0.1")
    try:
        output = subprocess.check_output(f"ping -c 3 {host}", shell=True, timeout=10)
    except subprocess.CalledProcessError as exc:
        output = exc.output
    return JsonResponse({"result": output.decode(errors="replace")})
