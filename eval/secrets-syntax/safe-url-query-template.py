import os

import requests

API_KEY = os.environ["WEATHER_API_KEY"]


def forecast(city):
    # The key comes from the environment; the URL only names the parameter.
    url = f"https://api.weatherprovider.example/v3/forecast?units=metric&apikey={API_KEY}&city={city}"
    return requests.get(url, timeout=10)


def page(token):
    return requests.get("https://api.example.com/v1/items?page_token=" + token + "&key=user-profile-settings", timeout=10)
