import hashlib
import hmac
import os


def hash_password(password: str) -> bytes:
    salt = os.urandom(16)
    return salt + hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def check_password(stored: bytes, password: str) -> bool:
    salt, digest = stored[:16], stored[16:]
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return hmac.compare_digest(digest, candidate)


def etag_for(body: bytes) -> str:
    return hashlib.md5(body, usedforsecurity=False).hexdigest()
