import requests
from django.conf import settings


def notify_shipping(order):
    payload = {"order": order.id, "status": order.status}
    resp = requests.post(settings.SHIPPING_WEBHOOK_URL, json=payload, timeout=5)
    resp.raise_for_status()
