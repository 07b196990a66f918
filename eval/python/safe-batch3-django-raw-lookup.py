from django.http import JsonResponse

from .models import Shipment


def track(request):
    carrier = request.GET.get("carrier", "")
    rows = Shipment.objects.raw(
        "SELECT * FROM logistics_shipment WHERE carrier = %s", [carrier]
    )
    return JsonResponse({"ids": [r.id for r in rows]})
