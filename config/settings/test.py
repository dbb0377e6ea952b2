"""Settings for the test suite.

PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI), SQLite and
the filesystem broker otherwise. Fast password hashing; mail in memory unless
a test points EMAIL_* at its own SMTP server.
"""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not env.str("EMAIL_URL", default=""):  # a worker test points EMAIL_URL at its SMTP server
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One test database per test run (several runs may share a machine), and for
# SQLite a file, not :memory:, so a Celery worker started by a test sees it.
_run = os.getpid()
DATABASES["default"].setdefault("TEST", {})  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-{_run}.sqlite3")  # noqa: F405
else:
    DATABASES["default"]["TEST"]["NAME"] = f"test_{DATABASES['default']['NAME']}_{_run}"  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
AXES_ENABLED = True
