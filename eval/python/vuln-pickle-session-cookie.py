import base64
import pickle

from flask import Flask, request, g

app = Flask(__name__)


@app.before_request
def load_preferences():
    raw = request.cookies.get("prefs")
    if raw:
        g.prefs = pickle.loads(base64.b64decode(raw))
    else:
        g.prefs = {"theme": "light"}
