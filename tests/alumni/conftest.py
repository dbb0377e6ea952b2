"""Fixtures for the cohort-upload tests.

``import_cohort`` runs one file through one of the three ways in: the
``import_cohort`` management command, ``services.import_file`` (what the
command and scripts use) and ``receive_upload`` + ``confirm_upload`` (what the
web pages use). Tests that take it run once per way in.
"""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alumni import services
from alumni.models import Upload
from tests.helpers.storage import temporary_storage


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploaded files go to a temporary folder, never to var/private."""
    return temporary_storage(settings, tmp_path)


@dataclass
class CommandRun:
    returncode: int
    stdout: str
    stderr: str
    message: str = ""  # the CommandError text, if any


@pytest.fixture
def run_command(tmp_path, institution):
    """Write ``data`` to a file and run ``import_cohort`` on it.

    Output is asked in English (``--language en``) so tests can read the
    summary lines; ``language=None`` leaves the command's default (Dutch)."""

    def run(
        data: bytes,
        file_name: str = "cohort.csv",
        *args: str,
        brin: str | None = None,
        language: str | None = "en",
    ) -> CommandRun:
        path = tmp_path / file_name
        path.write_bytes(data)
        if language:
            args = (*args, "--language", language)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(
                "import_cohort",
                str(path),
                "--institution",
                brin or institution.brin,
                *args,
                stdout=out,
                stderr=err,
            )
        except CommandError as exc:
            return CommandRun(exc.returncode, out.getvalue(), err.getvalue(), str(exc))
        return CommandRun(0, out.getvalue(), err.getvalue())

    run.folder = tmp_path
    return run


@dataclass
class Imported:
    channel: str
    upload: Upload
    command: CommandRun | None = None

    @property
    def problems(self) -> list[dict]:
        return self.upload.report.get("problems", [])

    @property
    def warnings(self) -> list[dict]:
        return self.upload.report.get("warnings", [])

    @property
    def written(self) -> bool:
        return self.upload.status == Upload.Status.IMPORTED


CHANNELS = ("command", "service", "web-service")


@pytest.fixture(params=CHANNELS)
def import_cohort(request, institution, institution_admin, run_command):
    """Import a file through one way in; returns an ``Imported``."""
    channel = request.param

    def do(
        data: bytes, file_name: str = "cohort.csv", *, import_valid_rows: bool = False, sheet=None
    ) -> Imported:
        if channel == "command":
            args = ["--import-valid-rows"] if import_valid_rows else []
            if sheet:
                args += ["--sheet", sheet]
            before = set(Upload.objects.values_list("pk", flat=True))
            run = run_command(data, file_name, *args)
            (upload,) = Upload.objects.exclude(pk__in=before)
            assert upload.via == "command"
            return Imported(channel, upload, run)
        if channel == "service":
            outcome = services.import_file(
                institution=institution,
                data=data,
                file_name=file_name,
                sheet=sheet,
                import_valid_rows=import_valid_rows,
            )
            outcome.upload.refresh_from_db()
            return Imported(channel, outcome.upload)
        upload = services.receive_upload(
            institution=institution, user=institution_admin, file_name=file_name, data=data, sheet=sheet or ""
        )
        if upload.status == Upload.Status.VALIDATED:
            services.confirm_upload(upload, import_valid_rows=import_valid_rows)
        upload.refresh_from_db()
        return Imported(channel, upload)

    do.channel = channel
    return do
