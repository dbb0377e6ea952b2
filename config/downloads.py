"""A file the browser saves instead of showing: every CSV and spreadsheet download of the site."""

from django.http import HttpResponse, StreamingHttpResponse

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content, filename: str, content_type: str = CSV, *, streaming: bool = False) -> HttpResponse:
    """``content`` (text, bytes, or with ``streaming`` an iterator of chunks)
    as a download named ``filename``."""
    response = (StreamingHttpResponse if streaming else HttpResponse)(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
