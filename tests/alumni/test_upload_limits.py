"""Upload limits are checked before the expensive part (issue 12, item 7).

A 3 MB .xlsx that unpacks to 1 GiB ("zip bomb") made the web upload answer
HTTP 500 after 31 s: the row limit was checked only after openpyxl had parsed
the whole sheet. Now the archive's unpacked size is checked before any XML is
read, and the row limit while the sheet streams.

The bombs are built here, cheaply: the sheet XML is one block of rows repeated,
deflated once with a full flush (so each copy of the compressed block is a
valid continuation of the stream) and written into a hand-made zip64 archive,
CRCs and sizes correct, so any zip reader would really unpack a gigabyte.
"""

import io
import struct
import time
import zlib

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from alumni import services
from alumni.importing.problems import FileRejected, message
from alumni.importing.reading import read_table
from alumni.models import Graduate, Upload
from tests.factories.cohort_files import graduate, graduates, make_xlsx

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
ROW = b'<row><c t="inlineStr"><is><t>0000002</t></is></c><c t="inlineStr"><is><t>Jan</t></is></c></row>'


def _deflate_parts(parts: list[bytes]) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = b"".join(compressor.compress(p) for p in parts)
    return out + compressor.flush()


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of (name, raw deflate data, crc32, unpacked size); zip64
    sizes for members of 4 GiB or more stated as 0xFFFFFFFF, as zipfile reads them."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        big = size >= 0xFFFFFFFF or len(data) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, len(data)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(data), size)
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, *sizes, len(encoded), len(extra))
        )
        out.write(encoded + extra + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, *sizes, len(encoded), len(extra), 0, 0, 0, 0, offset,
            )
            + encoded
            + extra
        )  # fmt: skip
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)
    )
    return out.getvalue()


def xlsx_bomb(unpacked: int, row: bytes = ROW) -> bytes:
    """A valid workbook whose first sheet, after a real header row, holds
    ``unpacked`` bytes of repeated rows."""
    template = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(list(graduate(1)))
    book.save(template)
    import zipfile

    members = []
    with zipfile.ZipFile(template) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name != SHEET:
                members.append((name, _deflate_parts([data]), zlib.crc32(data), len(data)))
                continue
            head, tail = data.split(b"</sheetData>")
            tail = b"</sheetData>" + tail
            block = row * (1_048_576 // len(row))
            copies = max(1, -(-unpacked // len(block)))  # rounded up
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
            repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
            last = compressor.compress(tail) + compressor.flush()
            crc = zlib.crc32(head)
            for _ in range(copies):
                crc = zlib.crc32(block, crc)
            crc = zlib.crc32(tail, crc)
            size = len(head) + copies * len(block) + len(tail)
            members.append((name, first + repeated * copies + last, crc, size))
    return _zip(members)


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return xlsx_bomb(1 << 30)


def test_the_bomb_is_a_real_archive_of_a_gigabyte(gigabyte_bomb):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(gigabyte_bomb)) as archive:
        sheet = archive.getinfo(SHEET)
        assert sheet.file_size >= 1 << 30
        with archive.open(SHEET) as handle:  # really unpacks (first MiB is enough to see it)
            assert handle.read(1 << 20).count(b"<row>") > 1000
    assert len(gigabyte_bomb) < 5 * 1024 * 1024


def test_a_zip_bomb_is_refused_in_seconds_before_parsing(gigabyte_bomb):
    start = time.perf_counter()
    with pytest.raises(FileRejected) as caught:
        read_table(gigabyte_bomb)
    assert time.perf_counter() - start < 2
    problem = caught.value.problem
    assert problem.code == "too_large_unzipped"
    assert problem.params["size_mb"] >= 1024
    text = message(problem.as_dict())
    assert f"{problem.params['size_mb']} MB" in text and "512 MB" in text


def test_the_web_upload_of_a_zip_bomb_answers_with_the_message_in_seconds(
    client, institution, institution_admin, gigabyte_bomb
):
    client.force_login(institution_admin)
    graduates_before = Graduate.objects.count()
    start = time.perf_counter()
    response = client.post(
        reverse("alumni:upload_list"),
        {"institution": institution.pk, "file": io.BytesIO(gigabyte_bomb)},
        follow=True,
    )
    assert time.perf_counter() - start < 5
    assert response.status_code == 200
    upload = Upload.objects.get(institution=institution)
    assert upload.status == Upload.Status.REJECTED
    assert [p["code"] for p in upload.report["problems"]] == ["too_large_unzipped"]
    assert not upload.file  # nothing kept
    assert Graduate.objects.count() == graduates_before
    assert "512 MB" in response.content.decode()


def test_the_unpacked_limit_is_a_setting(institution):
    data = make_xlsx(graduates(3))
    import zipfile

    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with override_settings(ALUMNI_UPLOAD_MAX_UNZIPPED_BYTES=unpacked - 1):
        checked = services.check_file(data, institution)
        assert [p["code"] for p in checked.problems] == ["too_large_unzipped"]
    with override_settings(ALUMNI_UPLOAD_MAX_UNZIPPED_BYTES=unpacked):
        assert services.check_file(data, institution).problems == []


def test_the_row_limit_stops_reading_a_sheet_at_the_first_row_over_it():
    """Two million rows under the unpacked limit: reading stops after the limit, it does not parse them all."""
    data = xlsx_bomb(200 * 1_048_576)
    start = time.perf_counter()
    with override_settings(ALUMNI_UPLOAD_MAX_ROWS=1000), pytest.raises(FileRejected) as caught:
        read_table(data)
    assert time.perf_counter() - start < 5  # all of it takes minutes
    assert caught.value.problem.code == "too_many_rows_streamed"
    assert "1000" in message(caught.value.problem.as_dict())


def test_a_sheet_at_the_row_limit_is_read(institution):
    data = make_xlsx(graduates(5))
    with override_settings(ALUMNI_UPLOAD_MAX_ROWS=5):
        assert len(read_table(data).frame) == 5
    with override_settings(ALUMNI_UPLOAD_MAX_ROWS=4):
        checked = services.check_file(data, institution)
        assert [p["code"] for p in checked.problems] == ["too_many_rows"]


def test_a_damaged_archive_is_a_clear_message_not_an_error():
    data = make_xlsx(graduates(2))
    damaged = data[: len(data) // 2]
    with pytest.raises(FileRejected) as caught:
        read_table(damaged)
    assert caught.value.problem.code == "xlsx_unreadable"


def test_a_member_that_lies_about_its_size_gives_no_more_than_it_states():
    """zipfile returns at most a member's stated size (and a member that
    unpacks to more fails its CRC), so the size check cannot be tricked by a
    small stated size: reading such a file stays small and quick."""
    real = xlsx_bomb(64 * 1_048_576)
    import zipfile

    members = []
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        for info in archive.infolist():
            raw_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            raw = real[raw_start : raw_start + info.compress_size]
            size = 1_048_576 if info.filename == SHEET else info.file_size
            members.append((info.filename, raw, info.CRC, size))
    liar = _zip(members)
    with zipfile.ZipFile(io.BytesIO(liar)) as archive, pytest.raises(zipfile.BadZipFile, match="CRC"):
        archive.read(SHEET)
    start = time.perf_counter()
    try:
        raw_table = read_table(liar)
    except FileRejected as rejected:
        assert rejected.problem.code == "xlsx_unreadable"
    else:
        assert len(raw_table.frame) <= 1_048_576 // len(ROW)
    assert time.perf_counter() - start < 2
