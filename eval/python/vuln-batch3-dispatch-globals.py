# corgi-expect: python-dataflow-code
from django.http import JsonResponse


def export_csv(request):
    return JsonResponse({"format": "csv"})


def export_json(request):
    return JsonResponse({"format": "json"})


def export(request):
    handler_name = request.GET.get("handler", "export_json")
    handler = globals().get(handler_name)
    return handler(request)
