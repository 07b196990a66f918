import requests
from bs4 import BeautifulSoup
from flask import Flask, request, jsonify

app = Flask(__name__)


@app.post("/api/preview")
def preview():
    url = request.json["url"]
    page = requests.get(url, timeout=5)
    soup = BeautifulSoup(page.text, "html.parser")
    title = soup.title.string if soup.title else url
    return jsonify({"title": title})
