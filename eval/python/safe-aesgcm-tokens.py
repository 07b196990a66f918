import os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def encrypt_member_id(member_id: str, key: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, member_id.encode(), b"member-id")
