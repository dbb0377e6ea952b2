"""The log in words (audit.labels): every ``what`` name the apps write has a Dutch
description, detail keys and coded values are shown as words, and the page
shows no machine value where a word exists.

The ``what`` names are found in the source, not listed here: every call of
``audit.services.record`` is followed back through the helpers that pass a
name on (a parameter of the calling function is resolved at that function's
own callers, an f-string through the values its parts get), so a new
``record`` call with a new name fails this test until the name has a label.
"""

import ast
import itertools
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from alumni import services
from alumni.models import Membership, Upload
from alumni.privacy.erasure import erase_graduate
from alumni.privacy.retention import apply_retention
from audit import labels
from audit.models import AuditEntry
from audit.services import Action, record
from tests.factories import people
from tests.factories.cohort_files import graduates, make_csv

ROOT = Path(__file__).resolve().parents[2]
APPS = ("alumni", "audit", "config", "demo", "reports", "surveys")
WRITERS = {"record"}  # audit.services.record: every entry goes through it

# Words that are the same in Dutch (or a code a Dutch reader uses as is).
SAME_IN_DUTCH = {"upload", "cohort", "status", "filters", "via", "CSV", "JSON"}


class Unresolved(Exception):
    pass


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


class Source:
    """Every function and call of the apps, to follow an argument to where its value comes from."""

    def __init__(self):
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.calls: list[tuple[Path, ast.Call, ast.FunctionDef | None]] = []
        for path, tree in _modules():
            self._walk(path, tree, None)

    def _walk(self, path, node, function):
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(child.name, []).append(child)
                inner = child
            if isinstance(child, ast.Call):
                self.calls.append((path, child, function))
            self._walk(path, child, inner)

    def calls_to(self, name: str):
        for path, call, function in self.calls:
            func = call.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                yield path, call, function

    @staticmethod
    def argument(call: ast.Call, function: ast.FunctionDef, name: str):
        """The expression ``call`` passes for parameter ``name`` of ``function`` (or its default)."""
        params = [*function.args.posonlyargs, *function.args.args]
        names = [p.arg for p in params]
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        if name in names:
            index = names.index(name)
            positional = call.args
            if any(isinstance(a, ast.Starred) for a in positional[: index + 1]):
                raise Unresolved(f"*args at line {call.lineno}")
            if index < len(positional):
                return positional[index]
            defaults = function.args.defaults
            offset = len(params) - len(defaults)
            if index >= offset:
                return defaults[index - offset]
        for param, default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
            if param.arg == name and default is not None:
                return default
        return None

    def values(self, node, function, where: str, depth=0) -> set[str]:
        """Every string ``node`` can be, inside ``function``."""
        if depth > 6:
            raise Unresolved(f"{where}: too many hops")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body, function, where, depth) | self.values(
                node.orelse, function, where, depth
            )
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    parts.append(sorted(self.values(part.value, function, where, depth)))
                else:
                    parts.append([part.value])
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(node, ast.Name) and function is not None:
            params = {
                a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)
            }
            if node.id in params:
                found = set()
                for path, call, caller in self.calls_to(function.name):
                    value = self.argument(call, function, node.id)
                    if value is not None:
                        found |= self.values(value, caller, f"{path.name}:{call.lineno}", depth + 1)
                own_default = self.argument(ast.Call(func=node, args=[], keywords=[]), function, node.id)
                if own_default is not None:
                    found |= self.values(own_default, function, where, depth + 1)
                return found
        raise Unresolved(f"{where}: cannot tell which names {ast.unparse(node)!r} stands for")


@pytest.fixture(scope="module")
def source():
    return Source()


def written_whats(source) -> set[str]:
    (record_def,) = [f for f in source.functions["record"] if f.args.args[:2][-1].arg == "what"]
    names = set()
    for path, call, function in source.calls_to("record"):
        if function is record_def:
            continue
        node = Source.argument(call, record_def, "what")
        if node is None:
            pytest.fail(f"{path.name}:{call.lineno}: record() without a what name")
        names |= source.values(node, function, f"{path.relative_to(ROOT)}:{call.lineno}")
    return names


def test_every_what_name_written_anywhere_has_a_label(source):
    names = written_whats(source)
    # The finder itself works: names written directly, through helpers, in f-strings and conditions.
    for expected in (
        "graduate_page",  # record(...) in a view
        "upload_detail",  # through a helper that passes its parameter on
        "user_groups_changed",  # two helpers deep (signals)
        "import_command",  # an f-string whose part is a parameter with a default
        "import_demo",  # ... and what one caller passes for it
        "network_csv",  # one branch of a condition
        "network_list",  # the other
        "login",
    ):
        assert expected in names
    missing = sorted(names - set(labels.WHAT))
    assert missing == [], f"add these to audit.labels.WHAT (and their Dutch to the catalogue): {missing}"


def test_a_name_the_finder_cannot_follow_fails_loudly(source):
    call = ast.parse("record(Action.VIEW, some_object.name)").body[0].value
    with pytest.raises(Unresolved):
        source.values(call.args[1], None, "example")


def _untranslated(table: dict) -> list[str]:
    missing = []
    for label in table.values():
        with translation.override("en"):
            english = str(label)
        with translation.override("nl"):
            dutch = str(label)
        if dutch == english and dutch not in SAME_IN_DUTCH:
            missing.append(english)
    return sorted(missing)


def test_every_label_has_its_dutch_words():
    assert _untranslated(labels.WHAT) == []
    assert _untranslated(labels.DETAIL_KEYS) == []


def _keys(details: dict) -> set[str]:
    keys = set()
    for key, value in details.items():
        keys.add(key)
        if isinstance(value, dict) and key != "by_institution":  # that one is keyed by BRIN
            keys |= _keys(value)
    return keys


def test_the_detail_keys_the_apps_write_have_labels(institution, django_user_model):
    """The entries as the apps write them (an import, an erasure, a retention run,
    a role change), so a key added there without a label fails here."""
    services.import_file(institution=institution, data=make_csv(graduates(2)), file_name="lijst.csv")
    erase_graduate(people.make_graduate(institution, student_number="7770001"), reason="verzoek per e-mail")
    apply_retention()
    user = django_user_model.objects.create_user("nieuw", "n@example.org", "a-long-password-1")
    membership = Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    membership.role = Membership.Role.CAREER_OFFICE
    membership.save()
    entries = list(AuditEntry.objects.all())
    assert {e.action for e in entries} >= {"import", "erasure", "retention", "role_change"}
    keys = set().union(*(_keys(e.details) for e in entries))
    assert sorted(keys - set(labels.DETAIL_KEYS)) == []


# --- values in words -----------------------------------------------------------------


def lines(details: dict) -> dict[str, str]:
    with translation.override("nl"):
        return {str(k): str(v) for k, v in labels.details_lines(details)}


def test_a_role_and_its_change_are_words():
    shown = lines({"user_id": 7, "role": "career_office", "changed": {"role": ["admin", "career_office"]}})
    with translation.override("nl"):
        admin, career = str(Membership.Role.ADMIN.label), str(Membership.Role.CAREER_OFFICE.label)
    assert shown["rol"] == career
    assert shown["gewijzigd (voor → na)"] == f"rol: {admin} → {career}"
    assert "career_office" not in str(shown)


def test_flags_and_yes_no_are_words():
    shown = lines({"user_id": 3, "is_staff": [False, True], "is_superuser": True, "locked_out": False})
    assert shown["toegang tot het Django-beheer"] == "nee → ja"
    assert shown["platformbeheerder (supergebruiker)"] == "ja"
    assert "True" not in str(shown) and "False" not in str(shown)


def test_field_names_status_and_filters_are_words():
    shown = lines(
        {
            "fields": ["email", "private_email"],
            "status": Upload.Status.VALIDATED,
            "filters": {"wave": "T1", "cohorts": [2024, 2025], "status_T1": "bounced"},
            "by": ["programme", "location"],
            "format": "xlsx",
        }
    )
    assert shown["velden"] == "E-mail school, E-mail privé"
    with translation.override("nl"):
        assert shown["status"] == str(Upload.Status.VALIDATED.label)
    assert shown["filters"] == "cohorten: 2024, 2025; status T1: onbestelbaar; ronde: T1"
    assert "opleiding" in shown["ingedeeld naar"] and "vestiging" in shown["ingedeeld naar"]
    assert shown["formaat"] == "Excel (xlsx)"


def test_nested_counts_per_institution_stay_readable():
    shown = lines({"by_institution": {"99XA": {"contact_removed": 3, "network_kept": 1}}})
    assert shown["per instelling"] == "99XA (contactgegevens verwijderd: 3, bewaard (alumninetwerk): 1)"


def test_a_key_without_a_label_is_shown_as_it_is():
    assert lines({"brand_new": 5}) == {"brand_new": "5"}


# --- the page ------------------------------------------------------------------------


@pytest.fixture
def admin_web(client, django_user_model):
    admin = django_user_model.objects.create_superuser("platform", "p@example.org", "a-long-password-1")
    client.force_login(admin)
    return client


def test_the_page_shows_words_not_codes(admin_web, institution, django_user_model):
    graduate = people.make_graduate(institution)
    user = django_user_model.objects.create_user("loopbaan", "l@example.org", "a-long-password-1")
    membership = Membership.objects.create(user=user, institution=institution, role=Membership.Role.ADMIN)
    membership.role = Membership.Role.CAREER_OFFICE
    membership.save()  # a role change, written by audit.signals
    record(
        Action.CHANGE,
        "graduate_email",
        target=graduate,
        institution=institution,
        details={"fields": ["private_email"], "readdressed": 1, "resent": 0},
    )
    record(Action.ERASURE, "graduate", target=graduate, institution=institution, details={"tombstone": True})
    with translation.override("nl"):
        body = admin_web.get(reverse("audit:entries"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    for code in (
        "career_office",
        "graduate_email",
        "private_email",
        "alumni.graduate",
        "True",
        "membership_",
    ):
        assert code not in body, code
    for words in ("lidmaatschap gewijzigd", "e-mailadres verbeterd", "gediplomeerde #", "E-mail privé"):
        assert words in body, words
    assert "In de CSV staan de opgeslagen codes" in body


def test_the_what_filter_finds_entries_by_their_words(admin_web):
    network = record(Action.EXPORT, "network_csv")
    record(Action.VIEW, "graduate_page")
    shown = [
        e.pk
        for e, _brin in admin_web.get(reverse("audit:entries"), {"what": "alumninetwerk"}).context["rows"]
    ]
    assert shown == [network.pk]
    by_code = admin_web.get(reverse("audit:entries"), {"what": "network_csv"}).context["rows"]
    assert [e.pk for e, _ in by_code] == [network.pk]
