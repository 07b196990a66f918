import json

from flask import Flask, request, g
from itsdangerous import URLSafeSerializer, BadSignature

app = Flask(__name__)
signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="prefs")


@app.before_request
def load_preferences():
    raw = request.cookies.get("prefs")
    try:
        g.prefs = signer.loads(raw) if raw else {"theme": "light"}
    except BadSignature:
        g.prefs = {"theme": "light"}
    g.prefs_json = json.dumps(g.prefs)
