# corgi-expect: python-django-weak-password-hasher
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "shop"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
