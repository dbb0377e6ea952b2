"""Production settings: everything secret or host-specific must be in the environment.

``python manage.py check --deploy --fail-level WARNING`` passes with these
settings (tests/config/test_deploy_settings.py runs it, so CI does). The
Content-Security-Policy, X-Frame-Options, Referrer-Policy and nosniff come
from base.py and hold everywhere; here only what needs HTTPS or a real host.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # no default either: the real host name(s)
if not env.str("DATABASE_URL", default=""):
    # base.py's SQLite default is for a laptop; production without DATABASE_URL is a mistake.
    raise ImproperlyConfigured("Set the DATABASE_URL environment variable (PostgreSQL) in production.")

# HTTPS only: the proxy in front says so with X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Cookies: HTTPS only, out of reach of scripts (no script of ours reads them).
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# No local mailbox in production, whatever the environment says.
DEV_MAILBOX = False
