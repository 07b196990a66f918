INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "shop"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
