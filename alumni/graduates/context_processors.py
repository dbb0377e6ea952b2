"""``administers_institution`` for the navigation bar: whether to show the
"Graduates" link. Lazy, so a page that never asks costs no query, and asked
at most once per page."""

from django.utils.functional import cached_property

from ..selectors import administered_institutions


class _Administers:
    def __init__(self, user):
        self.user = user

    @cached_property
    def answer(self) -> bool:
        return administered_institutions(self.user).exists()

    def __bool__(self) -> bool:
        return self.answer


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"administers_institution": False}
    return {"administers_institution": _Administers(user)}
