import jwt
from functools import wraps
from flask import request, abort, g


def require_user(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.DecodeError:
            abort(401)
        g.user_id = claims["sub"]
        return view(*args, **kwargs)
    return wrapper
