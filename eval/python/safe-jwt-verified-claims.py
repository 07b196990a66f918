import jwt
from functools import wraps
from flask import request, abort, g, current_app


def require_user(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                current_app.config["JWT_PUBLIC_KEY"],
                algorithms=["RS256"],
                audience="api.example.com",
            )
        except jwt.InvalidTokenError:
            abort(401)
        g.user_id = claims["sub"]
        return view(*args, **kwargs)
    return wrapper
