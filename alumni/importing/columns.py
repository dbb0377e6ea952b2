"""Which header in a file means which field.

Headers are compared after normalising: lower case, accents dropped, and
spaces, ``-``, ``_`` and ``.`` removed, so ``Datum diploma``, ``datum_diploma``
and ``DATUM-DIPLOMA`` are one name.
"""

import re
import unicodedata

# field -> accepted header names (already normalised). The first is the
# Dutch name shown in messages and in templates.
ALIASES: dict[str, tuple[str, ...]] = {
    "student_number": (
        "studentnummer",
        "studentnumber",
        "deelnemernummer",
        "deelnemersnummer",
        "leerlingnummer",
        "studentnr",
        "deelnemernr",
    ),
    "first_name": ("voornaam", "firstname", "roepnaam"),
    "name_prefix": ("tussenvoegsel", "nameprefix", "voorvoegsel", "tussenvoegsels"),
    "last_name": ("achternaam", "lastname"),
    "email": ("email", "emailadres", "emailaddress"),
    "private_email": (
        "priveemail",
        "privateemail",
        "priveemailadres",
        "privateemailaddress",
    ),
    "crebo": ("crebo", "crebonummer", "crebocode", "opleidingscode"),
    "diploma_date": ("diplomadatum", "graduationdate", "datumdiploma", "datumdiplomering"),
    "level": ("niveau", "level"),
    "pathway": ("leerweg", "pathway"),
    "location": ("vestiging", "location"),
    "brin": ("brin", "brincode", "instellingscode"),
    "gender": ("geslacht", "gender"),
    "birth_year": ("geboortejaar", "birthyear"),
    "birth_date": ("geboortedatum", "birthdate", "dateofbirth"),
}

REQUIRED = ("student_number", "first_name", "last_name", "crebo", "diploma_date")

_BY_NAME = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_STRIP = re.compile(r"[\s\-_.]+")


def normalise_header(header: str) -> str:
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _STRIP.sub("", text.strip().lower())


def field_for(header: str) -> str | None:
    """The field a header stands for, or None when the column is unknown."""
    return _BY_NAME.get(normalise_header(header))


def display_name(field: str) -> str:
    return ALIASES[field][0]
