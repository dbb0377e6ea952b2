"""The audit log for platform admins: filter it, export it (the export is itself audited)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse


def _platform_admin_only(request):
    if not request.user.is_superuser:
        raise PermissionDenied


@login_required
def entries(request):
    _platform_admin_only(request)
    return HttpResponse("")


@login_required
def entries_csv(request):
    _platform_admin_only(request)
    return HttpResponse("")
