# corgi-expect: python-dataflow-command
import subprocess

from django.http import HttpResponse


def thumbnail(request):
    upload = request.POST["filename"]
    source = upload
    target = source + ".thumb.png"
    subprocess.run("convert " + source + " -resize 64x64 " + target, shell=True, check=True)
    return HttpResponse("ok")
