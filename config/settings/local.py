"""Settings for a developer's machine (``make run``): DEBUG on, embedded defaults."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
DEV_MAILBOX = env.bool("DEV_MAILBOX", default=True)  # /dev/mail/: the mail var/mail holds
