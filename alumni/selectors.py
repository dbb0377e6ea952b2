"""Reads for the alumni app, and the one place that decides which
institutions a user may act for. Every view goes through these."""

from django.db.models import QuerySet

from .models import Institution, Membership, Upload


def administered_institutions(user) -> QuerySet[Institution]:
    """Institutions whose graduates' personal data this user may handle."""
    if not user.is_authenticated:
        return Institution.objects.none()
    if user.is_superuser:
        return Institution.objects.all()
    return Institution.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN
    ).distinct()


def uploads_for(user) -> QuerySet[Upload]:
    return (
        Upload.objects.filter(institution__in=administered_institutions(user))
        .select_related("institution", "uploaded_by")
        .defer("report")
    )
