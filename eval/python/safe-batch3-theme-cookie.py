import secrets

from flask import Flask, make_response

app = Flask(__name__)


@app.post("/session/remember")
def remember():
    resp = make_response("", 204)
    resp.set_cookie(
        "remember_token",
        secrets.token_urlsafe(32),
        max_age=30 * 86400,
        secure=True,
        httponly=True,
        samesite="Lax",
    )
    return resp
