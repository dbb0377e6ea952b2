"""docker-compose.yml starts on no known secret, and bin/stack-secrets makes and keeps each installation's own.

Docker need not run here: the compose file is read as YAML, and the script the
stack runs (POSIX sh) is run as the stack would, in a temporary folder.
"""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.processes import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "stack-secrets"
SECRETS = ("secret_key", "privacy_hmac_key", "postgres_password")
APP_SERVICES = ("web", "worker", "beat")
# What the developer's shell or the browser tests may carry and the stack would not.
INHERITED_NOT = (
    "SECRET_KEY",
    "PRIVACY_HMAC_KEY",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "DEV_MAILBOX",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def stack_secrets(*args, env=None):
    """The script with python on the PATH (the image's python; here the venv's)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
    return subprocess.run(
        ["sh", str(SCRIPT), *map(str, args)],
        cwd=ROOT,
        env={**clean, "PATH": path, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def environment_of(service: dict) -> dict:
    env = service.get("environment", {})
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


# --- the compose file ----------------------------------------------------------------


def test_no_secret_has_a_value_or_a_default_in_the_compose_file(compose):
    for name, service in compose["services"].items():
        for key, value in environment_of(service).items():
            if re.search(r"SECRET|HMAC|PASSWORD(?!_FILE)", key):
                # Only "take it from the shell, else empty" may be written: the script fills it in.
                assert value in (None, "", f"${{{key}:-}}"), f"{name}: {key}={value!r}"
            if key == "DATABASE_URL":
                pytest.fail(f"{name}: DATABASE_URL with its password is written in the compose file")
    assert "change-me" not in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def test_the_app_starts_only_through_the_secrets_script_after_they_exist(compose):
    services = compose["services"]
    make = services["secrets"]
    assert make["entrypoint"][:2] == ["bin/stack-secrets", "make"]
    folder = make["entrypoint"][2]
    assert f"secrets:{folder}" in make["volumes"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["entrypoint"] == ["bin/stack-secrets", "run", folder], name
        assert f"secrets:{folder}:ro" in service["volumes"], name
        assert service["depends_on"]["secrets"] == {"condition": "service_completed_successfully"}, name
    database = services["postgres"]
    assert database["depends_on"]["secrets"] == {"condition": "service_completed_successfully"}
    mounted = next(v.split(":")[1] for v in database["volumes"] if v.startswith("secrets:"))
    assert environment_of(database)["POSTGRES_PASSWORD_FILE"] == f"{mounted}/postgres_password"
    assert "secrets" in compose["volumes"]


def test_the_image_has_the_mount_point_for_the_app_user():
    # A named volume takes the owner of the folder it is mounted on from the image.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"mkdir -p /app/var/secrets && chown -R alumni /app/var", dockerfile)


# --- the script ----------------------------------------------------------------------


def test_make_creates_private_random_secrets_once_and_keeps_them(tmp_path):
    folder = tmp_path / "secrets"
    first = stack_secrets("make", folder)
    assert first.returncode == 0, first.stderr
    values = {name: (folder / name).read_text().strip() for name in SECRETS}
    assert len(set(values.values())) == 3 and all(len(v) >= 50 for v in values.values())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in SECRETS:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    again = stack_secrets("make", folder)
    assert again.returncode == 0 and "created" not in again.stderr
    assert {name: (folder / name).read_text().strip() for name in SECRETS} == values
    other = stack_secrets("make", tmp_path / "another-installation")
    assert other.returncode == 0
    assert (tmp_path / "another-installation" / "secret_key").read_text() != (
        folder / "secret_key"
    ).read_text()


def test_run_hands_the_secrets_to_the_command(tmp_path):
    folder = tmp_path / "secrets"
    stack_secrets("make", folder)
    shown = stack_secrets("run", folder, "env")
    assert shown.returncode == 0, shown.stderr
    env = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    assert env["SECRET_KEY"] == (folder / "secret_key").read_text().strip()
    assert env["PRIVACY_HMAC_KEY"] == (folder / "privacy_hmac_key").read_text().strip()
    password = (folder / "postgres_password").read_text().strip()
    assert env["DATABASE_URL"] == f"postgres://alumni:{password}@postgres:5432/alumni"


def test_a_key_from_the_environment_wins_but_a_short_one_is_refused(tmp_path):
    folder = tmp_path / "secrets"
    stack_secrets("make", folder)
    own = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
    shown = stack_secrets("run", folder, "env", env={"SECRET_KEY": own})
    assert f"SECRET_KEY={own}\n" in shown.stdout
    refused = stack_secrets("run", folder, "env", env={"SECRET_KEY": "change-me-in-production"})
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr and refused.stdout == ""


def test_run_refuses_to_start_without_the_secrets(tmp_path):
    refused = stack_secrets("run", tmp_path / "never-made", "env")
    assert refused.returncode != 0 and refused.stdout == ""
    assert "secret_key is missing" in refused.stderr


def test_the_stack_passes_check_deploy_on_the_generated_secrets(tmp_path):
    """What docker-compose.yml's old default key failed (security.W009)."""
    folder = tmp_path / "secrets"
    stack_secrets("make", folder)
    settings = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}  # the script builds it
    result = stack_secrets(
        "run",
        folder,
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=settings,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
