"""Settings for the test suite.

PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI), SQLite and
the filesystem broker otherwise. Fast password hashing; mail in memory unless
a test points EMAIL_* at its own SMTP server.
"""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
AXES_ENABLED = True
