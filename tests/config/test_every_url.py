"""Every URL pattern of the URLconf, requested (GET) by every role, with the
real ids of two institutions' objects — so a view added later is covered
without touching this file.

The patterns come from ``get_resolver()``, walked recursively. Path
parameters are filled from what the parameter *is* (a ``brin``, an upload's
or a graduate's ``pk``, a survey ``token``…), once with institution A's
objects and once with B's. The expectations are generic:

* no role ever gets a server error, and every response carries the
  Content-Security-Policy and ``X-Frame-Options: DENY``;
* anonymous visitors get no 2xx on a staff page (a redirect to the login page,
  a 403 or a 404), and no page marks an anonymous response personal;
* A's users (institution admin, career office) get no 2xx on B's objects, and
  a regional analyst none on any institution's own objects (analysts see
  cross-institution aggregates only);
* a career-office or analyst user finds no graduate's name, e-mail address or
  student number and no individual free-text answer in any HTML/CSV they get —
  except the alumni-network list, which shows the opted-in alumni's name and
  e-mail to their own institution by design (platform.md, "Who uses it");
* A's admin never finds B's personal data on any page;
* every response to a signed-in user is ``Cache-Control: no-store``;
* the platform admin (superuser) gets no 404 on a filled-in object URL — the
  check that the ids above are real, so the "no 2xx" rules are not vacuous.

Public by design: the auth pages, the language switch, and everything behind
the personal survey link (``/s/…``: the token is the graduate's own
credential; what those pages show is theirs).

Left out, and why: Django admin pages that take an object id or app label
(``admin:*_change``, ``_delete``, ``_history``, ``app_list``, ``view_on_site``,
``autocomplete``…) — they are all behind the same ``admin_site.admin_view``
guard as the changelists and ``add`` pages, which are requested. Static files
are not in the URLconf (WhiteNoise serves them before any view).
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alumni.models import Graduate, Institution, Membership, Upload
from reports.filters import Scope
from reports.models import Region, RegionalAnalyst
from reports.selectors.personal_data import network_rows
from surveys.models import Invitation
from tests.factories.datasets import make_dataset

PASSWORD = "a-long-password-1"

# URL names (with namespace) that are public by design; plus every route under s/.
PUBLIC_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "admin:login",
    "admin:logout",
}
PUBLIC_ROUTE_PREFIXES = ("s/",)
# Pages that show the opted-in alumni's name and e-mail to their own institution.
NETWORK_PAGES = {"reports:network"}
# The few parameters that are not an object of an institution (the explicit table).
SPECIAL_KWARGS = {
    "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "surveys:unknown_link": {"rest": "dit-is-geen-link/"},
}
# Parameters that name no institution's object: a URL with only these is requested once.
NEUTRAL_PARAMS = {"fmt", "wave_code", "page"}
# Pages each role must be able to open (200): the proof that the ids are real and
# the roles set up right, so that every "no 2xx" above means something.
MUST_OPEN = [
    ("admin_a", "alumni:upload_detail", "99XA"),
    ("admin_a", "alumni:graduate_detail", "99XA"),
    ("admin_a", "reports:monitoring", "99XA"),
    ("career_a", "reports:institution", "99XA"),
    ("career_a", "reports:network", "99XA"),
    ("analyst", "reports:cross", "99XA"),
    ("platform_admin", "alumni:graduate_detail", "99XB"),
    ("platform_admin", "admin:alumni_graduate_changelist", "99XA"),
]
# What an integer `pk` is, by the route's first segment.
PK_MODELS = {"uploads": "upload", "graduates": "graduate"}


@dataclass
class Pattern:
    name: str  # namespace:name
    route: str  # the pattern's route as text (for messages)
    params: tuple[str, ...]

    @property
    def of_institution(self) -> bool:
        return self.name not in SPECIAL_KWARGS and bool(set(self.params) - NEUTRAL_PARAMS)

    @property
    def public(self) -> bool:
        return self.name in PUBLIC_NAMES or self.route.startswith(PUBLIC_ROUTE_PREFIXES)


def _params(pattern) -> tuple[str, ...]:
    regex = pattern.pattern.regex
    return tuple(regex.groupindex)


def walk(resolver=None, namespace="", route="", params=()) -> list[Pattern]:
    """Every named URL pattern, with its full route text and all its parameters."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        text = route + str(entry.pattern)
        names = params + _params(entry)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            found += walk(entry, ns, text, names)
        elif isinstance(entry, URLPattern):
            if not entry.name and namespace.startswith("admin:"):
                continue  # the admin's unnamed legacy redirect (<path:object_id>/ -> change/)
            assert entry.name, f"unnamed URL pattern {text!r}: name it so it can be walked"
            found.append(Pattern(namespace + entry.name, text, names))
    return found


ADMIN_KEPT = re.compile(
    r"^admin:(index|login|logout|password_change|password_change_done|.*_changelist|.*_add)$"
)


def patterns() -> list[Pattern]:
    kept = []
    for p in walk():
        if p.name.startswith("admin:") and not ADMIN_KEPT.match(p.name):
            continue  # see the module docstring
        kept.append(p)
    return kept


class Fixture:
    """Two institutions with graduates, invitations with tokens, answers, uploads,
    programmes and locations; the five roles."""

    def __init__(self):
        User = get_user_model()
        data = make_dataset(
            institutions=[("99XA", "Instelling Alfa", True), ("99XB", "Instelling Beta", False)],
            sizes=[14, 6],
            group_first_two=False,
        )
        self.a, self.b = data.institutions
        self.objects = {inst.brin: self._objects_of(inst) for inst in (self.a, self.b)}
        region = Region.objects.create(name="Regio Test")
        region.institutions.set([self.a, self.b])
        self.users = {"anonymous": None}
        admin = User.objects.create_user("walk-admin-a", "walk-admin-a@example.org", PASSWORD)
        Membership.objects.create(user=admin, institution=self.a, role=Membership.Role.ADMIN)
        career = User.objects.create_user("walk-career-a", "walk-career-a@example.org", PASSWORD)
        Membership.objects.create(user=career, institution=self.a, role=Membership.Role.CAREER_OFFICE)
        analyst = User.objects.create_user("walk-analyst", "walk-analyst@example.org", PASSWORD)
        RegionalAnalyst.objects.create(user=analyst, region=region)
        root = User.objects.create_superuser("walk-root", "walk-root@example.org", PASSWORD)
        self.users.update(admin_a=admin, career_a=career, analyst=analyst, platform_admin=root)
        self.personal = {inst.brin: self._personal_of(inst) for inst in (self.a, self.b)}
        self.networked = {inst.brin: self._networked_of(inst) for inst in (self.a, self.b)}

    def _objects_of(self, institution: Institution) -> dict:
        invitation = (
            Invitation.objects.filter(graduate__institution=institution, wave__code="T1")
            .select_related("graduate")
            .order_by("pk")
            .first()
        )
        invitation.status = Invitation.Status.SENT  # an open link
        invitation.closes_on = datetime.date.today() + datetime.timedelta(days=30)
        invitation.save()
        graduate = invitation.graduate
        upload = Upload.objects.create(
            institution=institution,
            file_name=f"cohort-{institution.brin}.csv",
            status=Upload.Status.IMPORTED,
            rows_total=1,
            rows_new=1,
        )
        return {
            "brin": institution.brin,
            "upload": upload.pk,
            "graduate": graduate.pk,
            "invitation_pk": invitation.pk,
            "token": invitation.token,
            "page": "nu",
            "wave_code": "T1",
            "fmt": "csv",
            "programme": graduate.programme.crebo,
        }

    def _personal_of(self, institution: Institution) -> set[str]:
        values = set()
        for g in Graduate.objects.filter(institution=institution):
            values |= {g.first_name, g.last_name, g.student_number, g.email, g.private_email}
        values.discard("")
        return values

    def _networked_of(self, institution: Institution) -> set[str]:
        rows = network_rows(Scope([institution.pk]))
        return {r["email"] for r in rows} | {part for r in rows for part in r["name"].split()}

    def kwargs(self, pattern: Pattern, brin: str) -> dict:
        if pattern.name in SPECIAL_KWARGS:
            return SPECIAL_KWARGS[pattern.name]
        objects = self.objects[brin]
        values = {}
        for param in pattern.params:
            if param == "pk":
                first = pattern.route.split("/", 1)[0]
                assert first in PK_MODELS, (
                    f"{pattern.name} ({pattern.route}): which model is its pk? Add {first!r} to PK_MODELS"
                )
                values[param] = objects[PK_MODELS[first]]
            else:
                assert param in objects, (
                    f"{pattern.name} ({pattern.route}): no value for <{param}>; add it to "
                    "Fixture._objects_of (an institution's object) or SPECIAL_KWARGS"
                )
                values[param] = objects[param]
        return values


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def leaks(text: str, values: set[str]) -> list[str]:
    """The values found in the text as whole words ("Voornaam2" is not in "Voornaam23")."""
    return sorted(v for v in values if re.search(rf"(?<![\w.@-]){re.escape(v)}(?![\w@-])", text))


@pytest.fixture
def site(db, settings):
    settings.SURVEYS_GUESS_KEY_PREFIX = f"walk-{uuid.uuid4().hex}"  # the unknown link counts as a guess
    return Fixture()


@pytest.mark.django_db
def test_every_url_for_every_role(site, client):
    found = patterns()
    assert len(found) > 20  # the walk did find the URLconf
    login_urls = (reverse("login"), reverse("admin:login"))
    answers = re.compile(r"(Functie|Werkgever)-\d+-geheim")  # the dataset's free-text answers
    everyone = site.personal["99XA"] | site.personal["99XB"]
    problems: list[str] = []
    statuses: dict[tuple[str, str, str], int] = {}
    requested = 0
    for role, user in site.users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for pattern in found:
            owners = ("99XA", "99XB") if pattern.of_institution else ("99XA",)
            for owner in owners:
                kwargs = site.kwargs(pattern, owner)
                url = reverse(pattern.name, kwargs=kwargs)
                response = client.get(url, REMOTE_ADDR="10.1.2.3")
                requested += 1
                statuses[role, pattern.name, owner] = response.status_code
                status, text = response.status_code, body(response)
                where = f"{role} GET {url} ({pattern.name}) -> {status}"
                of_institution = pattern.of_institution
                if status >= 500:
                    problems.append(f"{where}: server error")
                if "default-src 'self'" not in response.get("Content-Security-Policy", ""):
                    problems.append(f"{where}: no Content-Security-Policy")
                if response.get("X-Frame-Options") != "DENY":
                    problems.append(f"{where}: X-Frame-Options is not DENY")
                if pattern.public:
                    continue  # public by design: only "no server error" applies
                if role == "anonymous":
                    if 200 <= status < 300:
                        problems.append(f"{where}: a staff page answered an anonymous visitor")
                    if 300 <= status < 400 and not response["Location"].startswith(login_urls):
                        problems.append(f"{where}: redirects anonymous to {response['Location']}")
                    continue
                if "no-store" not in response.get("Cache-Control", ""):
                    problems.append(f"{where}: no Cache-Control: no-store for a signed-in user")
                ok = 200 <= status < 300
                if role in ("admin_a", "career_a") and owner == "99XB" and of_institution and ok:
                    problems.append(f"{where}: A's user got B's object")
                if role == "analyst" and of_institution and ok:
                    problems.append(f"{where}: an analyst got an institution's own page")
                if role in ("career_a", "analyst"):
                    visible = everyone
                    if role == "career_a" and pattern.name in NETWORK_PAGES and owner == "99XA":
                        visible = everyone - site.networked["99XA"]
                    if found_values := leaks(text, visible):
                        problems.append(f"{where}: personal data {found_values[:3]}")
                    if found_answers := answers.findall(text):
                        problems.append(f"{where}: individual answers {found_answers[:3]}")
                if role == "admin_a" and (found_values := leaks(text, site.personal["99XB"])):
                    problems.append(f"{where}: B's personal data {found_values[:3]}")
                if role == "platform_admin" and of_institution and status == 404:
                    problems.append(f"{where}: the platform admin got 404: is the fixture's id real?")
    assert requested > 100
    for key in MUST_OPEN:
        assert statuses.get(key) == 200, (key, statuses.get(key))
    assert site.networked["99XA"], "the dataset has nobody in A's alumni network: the exception is untested"
    assert problems == [], "\n".join(problems)


def test_the_walk_sees_included_and_nested_patterns():
    names = {p.name for p in patterns()}
    assert {"home", "login", "surveys:survey", "alumni:upload_detail", "reports:institution"} <= names
    assert "admin:index" in names and "admin:alumni_graduate_changelist" in names
    assert "admin:alumni_graduate_change" not in names  # object admin pages left out
    detail = next(p for p in patterns() if p.name == "alumni:upload_detail")
    assert detail.params == ("pk",) and detail.route.startswith("uploads/")
