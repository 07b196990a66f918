# corgi-expect: python-jwt-sensitive-claims
import jwt


def issue_token(user, signing_key):
    claims = {"sub": str(user.id), "email": user.email, "password": user.password_hash}
    return jwt.encode(claims, signing_key, algorithm="HS256")
