from django.http import JsonResponse


def export_csv(request):
    return JsonResponse({"format": "csv"})


def export_json(request):
    return JsonResponse({"format": "json"})


HANDLERS = {"csv": export_csv, "json": export_json}


def export(request):
    handler = HANDLERS.get(request.GET.get("format"), export_json)
    return handler(request)
