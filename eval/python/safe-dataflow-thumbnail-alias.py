import shlex
import subprocess

from django.http import HttpResponse


def thumbnail(request):
    upload = shlex.quote(request.POST["filename"])
    source = upload
    subprocess.run(["convert", source, "-resize", "64x64", "out.png"], check=True)
    return HttpResponse("ok")
