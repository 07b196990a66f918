from Crypto.Cipher import DES
from Crypto.Util.Padding import pad


def encrypt_member_id(member_id: str, key: bytes) -> bytes:
    cipher = DES.new(key, DES.MODE_ECB)
    return cipher.encrypt(pad(member_id.encode(), DES.block_size))
