"""Reads for the admin's wave page."""

from django.db.models import Count

from .models import Invitation


def wave_status_table(institution, wave) -> tuple[list[dict], list[str]]:
    """Invitations per programme per status, for the admin's wave page.
    One grouped query; returns rows (programme + counts) and the status columns."""
    statuses = [s for s, _label in Invitation.Status.choices]
    grouped = (
        Invitation.objects.filter(wave=wave, graduate__institution=institution)
        .values("graduate__programme__crebo", "graduate__programme__name", "status")
        .annotate(n=Count("pk"))
        .order_by("graduate__programme__crebo")
    )
    rows: dict[str, dict] = {}
    for g in grouped:
        key = g["graduate__programme__crebo"]
        row = rows.setdefault(
            key,
            {
                "crebo": key,
                "name": g["graduate__programme__name"],
                "counts": dict.fromkeys(statuses, 0),
                "total": 0,
            },
        )
        row["counts"][g["status"]] = g["n"]
        row["total"] += g["n"]
    table = list(rows.values())
    for row in table:
        row["cells"] = [row["counts"][s] for s in statuses]
    return table, statuses
