"""The web flow: upload -> read the report -> confirm or discard; the downloads;
and who may see what."""

import hashlib
import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from alumni import services
from alumni.csvfiles import FORMULA_START
from alumni.models import Graduate, Membership, Upload
from tests.factories.cohort_files import csv_row_number, graduate, graduates, make_csv
from tests.helpers.upload_report import read_report_csv

pytestmark = pytest.mark.django_db

FORMULA_CHARS = ("=", "+", "-", "@")


@pytest.fixture
def admin_client(client, institution_admin):
    client.force_login(institution_admin)
    return client


def post_file(client, institution, data: bytes, name="cohort.csv", **fields):
    return client.post(
        reverse("alumni:upload_list"),
        {"institution": institution.pk, "file": SimpleUploadedFile(name, data), "sheet": "", **fields},
    )


def upload_of(response) -> Upload:
    match = re.fullmatch(r".*/uploads/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Upload.objects.get(pk=int(match.group(1)))


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()]


def with_errors() -> tuple[list[dict], list[tuple[int, str]]]:
    rows = graduates(4)
    rows[1]["crebo"] = "123"
    rows[3]["email"] = "geen-adres"
    return rows, [(csv_row_number(1), "crebo"), (csv_row_number(3), "email")]


# --- the happy path ------------------------------------------------------------


def test_upload_then_confirm_imports(admin_client, institution, private_storage):
    rows = graduates(3)
    response = post_file(admin_client, institution, make_csv(rows))
    assert response.status_code == 302
    upload = upload_of(response)
    assert upload.status == Upload.Status.VALIDATED
    assert Graduate.objects.count() == 0  # nothing is written before confirming
    assert len(stored_files(private_storage)) == 1

    detail = admin_client.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["can_confirm"]
    assert detail.context["preview"]["new"] == len(rows)
    assert reverse("alumni:upload_confirm", args=[upload.pk]) in detail.content.decode()

    confirmed = admin_client.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    assert confirmed.status_code == 302
    upload.refresh_from_db()
    assert upload.status == Upload.Status.IMPORTED
    assert upload.rows_new == len(rows)
    assert set(Graduate.objects.values_list("student_number", flat=True)) == {
        r["studentnummer"] for r in rows
    }
    assert not upload.file
    assert stored_files(private_storage) == []


def test_upload_is_recorded_with_who_and_what(admin_client, institution, institution_admin):
    data = make_csv(graduates(2))
    upload = upload_of(post_file(admin_client, institution, data, name="Cohort 2025.csv"))
    assert upload.uploaded_by == institution_admin
    assert upload.institution == institution
    assert upload.file_name == "Cohort 2025.csv"
    assert upload.via == "web"
    assert upload.uploaded_at is not None
    assert upload.file_sha256 == hashlib.sha256(data).hexdigest()


def test_detail_page_shows_each_problem_with_row_and_column(admin_client, institution):
    rows, expected = with_errors()
    response = post_file(admin_client, institution, make_csv(rows))
    detail = admin_client.get(response["Location"])
    shown = [(p["row"], p["column"]) for p in detail.context["problems"]]
    assert shown == expected
    page = detail.content.decode()
    for row, column in expected:
        assert re.search(rf"<tr><td>{row}</td><td>{column}</td>", page), page
    for problem in detail.context["problems"]:
        assert html.escape(problem["message"], quote=True) in page or problem["message"] in page
    # the admin may import the valid rows only, or discard
    assert detail.context["can_confirm"]
    assert 'name="import_valid_rows" value="1"' in page


def test_confirm_without_import_valid_rows_imports_nothing_from_a_file_with_errors(
    admin_client, institution, private_storage
):
    rows, _ = with_errors()
    upload = upload_of(post_file(admin_client, institution, make_csv(rows)))
    admin_client.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == Upload.Status.REJECTED
    assert Graduate.objects.count() == 0
    assert stored_files(private_storage) == []


def test_confirm_with_import_valid_rows_imports_the_good_rows(admin_client, institution):
    rows, expected = with_errors()
    upload = upload_of(post_file(admin_client, institution, make_csv(rows)))
    admin_client.post(reverse("alumni:upload_confirm", args=[upload.pk]), {"import_valid_rows": "1"})
    upload.refresh_from_db()
    bad_rows = {row for row, _ in expected}
    good = {r["studentnummer"] for i, r in enumerate(rows) if csv_row_number(i) not in bad_rows}
    assert upload.status == Upload.Status.IMPORTED
    assert set(Graduate.objects.values_list("student_number", flat=True)) == good
    assert (upload.rows_new, upload.rows_rejected) == (len(good), len(bad_rows))


def test_confirming_twice_imports_once(admin_client, institution):
    upload = upload_of(post_file(admin_client, institution, make_csv(graduates(3))))
    url = reverse("alumni:upload_confirm", args=[upload.pk])
    admin_client.post(url, follow=True)  # reads (and so clears) the success message
    upload.refresh_from_db()
    first = (upload.status, upload.rows_new, upload.imported_at)
    stamps = dict(Graduate.objects.values_list("student_number", "updated_at"))
    again = admin_client.post(url, follow=True)
    assert again.status_code == 200
    upload.refresh_from_db()
    assert (upload.status, upload.rows_new, upload.imported_at) == first
    assert dict(Graduate.objects.values_list("student_number", "updated_at")) == stamps
    assert Upload.objects.count() == 1
    assert [m.level_tag for m in again.context["messages"]] == ["warning"]


def test_discard_deletes_the_file_and_imports_nothing(admin_client, institution, private_storage):
    upload = upload_of(post_file(admin_client, institution, make_csv(graduates(3))))
    assert stored_files(private_storage)
    response = admin_client.post(reverse("alumni:upload_discard", args=[upload.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("alumni:upload_list")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DISCARDED
    assert not upload.file
    assert stored_files(private_storage) == []
    admin_client.post(reverse("alumni:upload_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DISCARDED
    assert Graduate.objects.count() == 0


def test_confirm_and_discard_need_post(admin_client, institution):
    upload = upload_of(post_file(admin_client, institution, make_csv(graduates(1))))
    for name in ("alumni:upload_confirm", "alumni:upload_discard"):
        assert admin_client.get(reverse(name, args=[upload.pk])).status_code == 405
    upload.refresh_from_db()
    assert upload.status == Upload.Status.VALIDATED


def test_a_file_that_cannot_be_read_is_rejected_at_once_and_not_kept(
    admin_client, institution, private_storage
):
    response = post_file(admin_client, institution, b"\x00\x01\x02binary" * 50)
    upload = upload_of(response)
    assert upload.status == Upload.Status.REJECTED
    assert stored_files(private_storage) == []
    detail = admin_client.get(response["Location"])
    assert not detail.context["can_confirm"]
    assert [p["code"] for p in detail.context["problems"]] == ["binary_file"]


def test_a_file_over_the_size_limit_is_refused_by_the_form(admin_client, institution):
    data = make_csv(graduates(10))
    with override_settings(ALUMNI_UPLOAD_MAX_BYTES=len(data) - 1):
        response = post_file(admin_client, institution, data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Upload.objects.count() == 0


# --- who may see what -------------------------------------------------------------


@pytest.fixture
def upload_of_b(other_institution, django_user_model):
    """A checked upload, with errors, of an institution admin A has no part in."""
    user_b = django_user_model.objects.create_user("admin-b", "b@example.org", "a-long-password-2")
    Membership.objects.create(user=user_b, institution=other_institution, role=Membership.Role.ADMIN)
    rows, _ = with_errors()
    return services.receive_upload(
        institution=other_institution, user=user_b, file_name="b-geheim.csv", data=make_csv(rows)
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("alumni:upload_detail", "get"),
        ("alumni:upload_problems_csv", "get"),
        ("alumni:upload_rejected_rows_csv", "get"),
        ("alumni:upload_confirm", "post"),
        ("alumni:upload_discard", "post"),
    ],
)
def test_an_admin_of_a_cannot_touch_uploads_of_b(admin_client, upload_of_b, private_storage, name, method):
    response = getattr(admin_client, method)(reverse(name, args=[upload_of_b.pk]))
    assert response.status_code == 404
    upload_of_b.refresh_from_db()
    assert upload_of_b.status == Upload.Status.VALIDATED
    assert upload_of_b.file and len(stored_files(private_storage)) == 1
    assert Graduate.objects.count() == 0


def test_the_upload_list_shows_only_own_institutions(
    admin_client, institution, other_institution, upload_of_b
):
    mine = upload_of(post_file(admin_client, institution, make_csv(graduates(1)), name="a-eigen.csv"))
    response = admin_client.get(reverse("alumni:upload_list"))
    page = response.content.decode()
    assert mine.file_name in page
    assert upload_of_b.file_name not in page
    assert list(response.context["form"].fields["institution"].queryset) == [institution]


def test_an_admin_of_a_cannot_upload_for_b(admin_client, other_institution):
    before = Upload.objects.count()
    response = post_file(admin_client, other_institution, make_csv(graduates(1)))
    assert response.status_code == 200
    assert "institution" in response.context["form"].errors
    assert Upload.objects.count() == before
    assert not Graduate.objects.filter(institution=other_institution).exists()


def test_a_user_without_membership_cannot_upload(client, institution, django_user_model):
    user = django_user_model.objects.create_user("niemand", "n@example.org", "a-long-password-3")
    client.force_login(user)
    response = post_file(client, institution, make_csv(graduates(1)))
    assert response.status_code == 200
    assert Upload.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "method", "with_pk"),
    [
        ("alumni:upload_list", "get", False),
        ("alumni:upload_list", "post", False),
        ("alumni:upload_detail", "get", True),
        ("alumni:upload_confirm", "post", True),
        ("alumni:upload_discard", "post", True),
        ("alumni:upload_problems_csv", "get", True),
        ("alumni:upload_rejected_rows_csv", "get", True),
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, upload_of_b, name, method, with_pk):
    url = reverse(name, args=[upload_of_b.pk] if with_pk else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    upload_of_b.refresh_from_db()
    assert upload_of_b.status == Upload.Status.VALIDATED


# --- downloads -----------------------------------------------------------------


@pytest.fixture
def dangerous_upload(admin_client, institution):
    """An upload whose problems and rejected rows hold formula-like cells."""
    rows = [
        graduate(1, voornaam='=HYPERLINK("http://evil.example")', crebo="+123", **{"@cmd": "-2+3"}),
        graduate(2, email="=1+1@x", tussenvoegsel="@SUM(1)"),
        graduate(3, **{"@cmd": ""}),
    ]
    return upload_of(post_file(admin_client, institution, make_csv(rows))), rows


def download(client, name, upload) -> tuple[str, list[list[str]]]:
    response = client.get(reverse(name, args=[upload.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return text, read_report_csv(text)


def assert_formula_safe(table: list[list[str]]):
    """No cell a spreadsheet would run; ="0104515" (digits as text) is the one formula allowed."""
    for line in table:
        for cell in line:
            assert not cell.startswith(FORMULA_START) or re.fullmatch(r'="[0-9]+"', cell), cell


def test_problems_csv_is_semicolon_separated_with_bom_and_formula_safe(admin_client, dangerous_upload):
    upload, _ = dangerous_upload
    text, table = download(admin_client, "alumni:upload_problems_csv", upload)
    assert text.splitlines()[0].count(";") == 3
    problems = upload.report["problems"]
    assert len(table) == 1 + len(problems)
    assert [line[:2] for line in table[1:]] == [[str(p["row"]), p["column"]] for p in problems]
    assert_formula_safe(table)
    values = [line[2] for line in table[1:]]
    assert "'+123" in values and "'=1+1@x" in values


def test_rows_to_fix_csv_is_semicolon_separated_with_bom_and_formula_safe(admin_client, dangerous_upload):
    upload, rows = dangerous_upload
    _, table = download(admin_client, "alumni:upload_rejected_rows_csv", upload)
    header = table[0]
    assert len(table) == 1 + 2  # rows 2 and 3 of the file have problems
    assert_formula_safe(table)
    first = dict(zip(header, table[1], strict=True))
    assert first["voornaam"] == "'" + rows[0]["voornaam"]
    assert first["'@cmd"] == "'-2+3"
    assert [line[0] for line in table[1:]] == ["2", "3"]
    second = dict(zip(header, table[2], strict=True))
    assert second["tussenvoegsel"] == "'@SUM(1)"
    assert second["studentnummer"] == f'="{rows[1]["studentnummer"]}"'  # text for Excel: zeros kept


def test_rows_to_fix_can_be_uploaded_again_once_fixed(admin_client, institution, dangerous_upload):
    upload, _ = dangerous_upload
    _, table = download(admin_client, "alumni:upload_rejected_rows_csv", upload)
    header = table[0]
    fixed = []
    for line in table[1:]:
        record = dict(zip(header, line, strict=True))
        record.pop("rij")
        record = {k.lstrip("'"): v.removeprefix("'") for k, v in record.items()}
        number = record["studentnummer"].removeprefix('="').removesuffix('"')
        record.update(
            voornaam=record["voornaam"].lstrip("=@"),  # the admin removes what looks like a formula
            tussenvoegsel=record["tussenvoegsel"].lstrip("=@"),
            crebo=graduate(1)["crebo"],
            email=graduate(1)["email"].replace("1@", f"{number}@"),
        )
        fixed.append(record)
    response = post_file(admin_client, institution, make_csv(fixed))
    again = upload_of(response)
    assert again.report["problems"] == []
    assert again.report["preview"]["new"] == 2
