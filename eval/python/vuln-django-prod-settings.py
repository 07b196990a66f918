import os
from .base import *  # noqa

DEBUG = True
ALLOWED_HOSTS = ["shop.example.com"]

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = True

DATABASES["default"]["HOST"] = os.environ["DB_HOST"]
