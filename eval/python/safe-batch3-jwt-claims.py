import jwt


def issue_token(user, signing_key):
    claims = {"sub": str(user.id), "email": user.email}
    return jwt.encode(claims, signing_key, algorithm="HS256")
