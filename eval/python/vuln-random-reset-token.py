import random
import string
from datetime import datetime, timedelta


def issue_password_reset(user, store):
    alphabet = string.ascii_letters + string.digits
    reset_token = "".join(random.choice(alphabet) for _ in range(40))
    store.save(user.id, reset_token, expires=datetime.utcnow() + timedelta(hours=1))
    return reset_token
