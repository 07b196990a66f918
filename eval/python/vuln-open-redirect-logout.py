from django.contrib.auth import logout
from django.shortcuts import redirect


def logout_view(request):
    logout(request)
    target = request.GET.get("next", "/")
    return redirect(target)
