import hashlib


def create_user(db, email, password):
    digest = hashlib.md5(password.encode("utf-8")).hexdigest()
    db.execute("INSERT INTO users (email, password_hash) VALUES (?, ?)", (email, digest))


def check_password(row, password):
    return row["password_hash"] == hashlib.md5(password.encode("utf-8")).hexdigest()
