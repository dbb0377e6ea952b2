"""Tombstones: remembering that something was erased, without keeping what.

A tombstone is an HMAC-SHA256 of the erased value under ``PRIVACY_HMAC_KEY``
(``SECRET_KEY`` when unset). Without the key a tombstone cannot be turned
back into a student number or a link, nor be matched against a guessed list;
with it, the platform can only answer "was this one erased?" for a value it
is shown. Changing the key forgets every tombstone (erased students could be
imported again), so it is set once and kept (README, docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from ..models import ErasedLink, ErasedStudent, Institution

_EXCEL_TEXT = re.compile(r'^="(.*)"$')
_CHUNK = 2000  # keys per query: well under SQLite's parameter limit


def _key() -> bytes:
    return (settings.PRIVACY_HMAC_KEY or settings.SECRET_KEY).encode()


def _digest(purpose: str, value: str) -> str:
    return hmac.new(_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_student_number(number) -> str:
    """The form two writings of one student number share: no Excel text
    wrapper (``="0104515"``), no spaces, capitals, no leading zeros (Excel
    drops them, so ``0104515`` and ``104515`` are the same student)."""
    text = str(number or "").strip()
    match = _EXCEL_TEXT.match(text)
    if match:
        text = match.group(1)
    text = re.sub(r"\s+", "", text).upper()
    return text.lstrip("0") or ("0" if text else "")


def student_key(institution_id: int, number) -> str:
    return _digest(f"student:{institution_id}", normalise_student_number(number))


def link_key(token: str) -> str:
    return _digest("link", token)


def bury_student(institution_id: int, number) -> bool:
    """Record that this institution erased this student number; True if new."""
    _, created = ErasedStudent.objects.get_or_create(
        institution_id=institution_id,
        key=student_key(institution_id, number),
        defaults={"erased_on": timezone.localdate()},
    )
    return created


def bury_links(tokens: Iterable[str]) -> int:
    """Record these survey links as erased; returns how many were new."""
    keys = {link_key(token) for token in tokens if token}
    known = set(ErasedLink.objects.filter(key__in=keys).values_list("key", flat=True))
    today = timezone.localdate()
    ErasedLink.objects.bulk_create([ErasedLink(key=k, erased_on=today) for k in sorted(keys - known)])
    return len(keys - known)


def is_erased_link(token: str) -> bool:
    """Was this survey link's graduate erased? (The unknown-link path asks, never the hot path.)"""
    return ErasedLink.objects.filter(key=link_key(token)).exists()


def erased_student_numbers(institution: Institution | int, numbers: Iterable) -> set[str]:
    """The student numbers among ``numbers`` (as given) whose graduate this institution erased.

    For the cohort import: rows with these numbers are skipped (never created,
    updated or invited), whatever leading zeros or Excel wrapper they carry.
    One query per 2,000 distinct numbers.
    """
    institution_id = getattr(institution, "pk", institution)
    by_key: dict[str, set[str]] = {}
    for number in numbers:
        if number is None or str(number).strip() == "":
            continue
        by_key.setdefault(student_key(institution_id, number), set()).add(number)
    keys = list(by_key)
    erased: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found = ErasedStudent.objects.filter(
            institution_id=institution_id, key__in=keys[start : start + _CHUNK]
        ).values_list("key", flat=True)
        for key in found:
            erased |= by_key[key]
    return erased
