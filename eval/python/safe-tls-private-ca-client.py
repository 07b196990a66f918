import requests

CA_BUNDLE = "/etc/ssl/certs/billing-internal-ca.pem"


class BillingClient:
    def __init__(self, base_url, api_key):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.session.verify = CA_BUNDLE

    def charge(self, customer_id, amount_cents):
        resp = self.session.post(
            f"{self.base_url}/v1/charges",
            json={"customer": customer_id, "amount": amount_cents},
            timeout=10,
        )
        resp.raise_for_status()
        return resp.json()
