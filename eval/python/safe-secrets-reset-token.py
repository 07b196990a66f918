import random
import secrets
import time
from datetime import datetime, timedelta


def issue_password_reset(user, store):
    reset_token = secrets.token_urlsafe(32)
    store.save(user.id, reset_token, expires=datetime.utcnow() + timedelta(hours=1))
    return reset_token


def backoff(attempt):
    time.sleep(min(30, 2 ** attempt) + random.uniform(0, 1))
