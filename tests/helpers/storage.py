"""Where uploaded files go in tests: a temporary folder, never var/private."""

from pathlib import Path


def temporary_storage(settings, tmp_path: Path) -> Path:
    """Point the default file storage at ``tmp_path/private`` (made here) and return it."""
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder
