"""Load the reference tables shipped in ``alumni/refdata`` (copied from the
public sources listed in its README) into the database.

Idempotent: every row is matched on its code and only written when it differs,
so a second run reports 0 created and 0 updated.
"""

import csv
from collections import Counter
from pathlib import Path

from django.db import transaction

from .models import EducationDomain, OccupationGroup, Programme, ProgrammeGroup, SbiSection

REFDATA = Path(__file__).resolve().parent / "refdata"

# ISCO-08 major groups in plain Dutch (B1), for the questionnaire's
# occupation question. Our own wording of the ILO titles.
ISCO_MAJOR_NL = {
    "0": "Militaire beroepen",
    "1": "Leidinggevende en manager",
    "2": "Specialist (hbo/wo-niveau), bijvoorbeeld ontwerper, jurist, ICT-specialist",
    "3": "Technicus of vakspecialist, bijvoorbeeld boekhouder, grafisch vormgever, verpleegkundige",
    "4": "Administratief of ondersteunend medewerker, bijvoorbeeld secretaresse, receptionist",
    "5": "Dienstverlening en verkoop, bijvoorbeeld winkel, horeca, zorg, beveiliging",
    "6": "Land- en tuinbouw, bosbouw en visserij",
    "7": "Ambacht en bouw, bijvoorbeeld timmerman, elektricien, monteur",
    "8": "Bediening van machines, montage en chauffeur",
    "9": "Eenvoudig werk, bijvoorbeeld schoonmaak, magazijn, bezorging",
}


def _rows(name: str):
    with open(REFDATA / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _sync(model, key: str, records: dict, counter: Counter, label: str) -> dict:
    """Create or update ``records`` (key -> field values); returns key -> object."""
    existing = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": records})}
    result = {}
    for code, values in records.items():
        obj = existing.get(code)
        if obj is None:
            obj = model.objects.create(**{key: code}, **values)
            counter[f"{label} created"] += 1
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            obj.save()
            counter[f"{label} updated"] += 1
        result[code] = obj
    return result


@transaction.atomic
def load_reference_data() -> Counter:
    counts: Counter = Counter()
    domains = _sync(
        EducationDomain,
        "code",
        {
            r["opleidingsdomein_code"]: {"name": r["opleidingsdomein"]}
            for r in _rows("mbo_opleidingsdomeinen.csv")
        },
        counts,
        "education domains",
    )

    programmes = {}
    for source, name in (
        (Programme.Source.PRE_2015, "mbo_kwalificaties_2014.csv"),
        (Programme.Source.HKS_2015, "mbo_kwalificaties_hks_2015.csv"),
    ):
        for r in _rows(name):
            programmes[r["kwalificatie_crebo"]] = {
                "name": r["kwalificatie_naam"],
                "level": int(r["niveau"]),
                "qualification_type": r["soort_opleiding"],
                "domain": domains.get(r["opleidingsdomein_code"]),
                "dossier_crebo": r["kwalificatiedossier_crebo"],
                "dossier_name": r["kwalificatiedossier_naam"],
                "source": source,
            }
    # Programme groups: the old and new codes of one programme (2018 study list).
    group_of = {
        r["kwalificatie_crebo"]: r["requested_programme"] for r in _rows("mbo_crebo_selected_programmes.csv")
    }
    groups = _sync(
        ProgrammeGroup,
        "name",
        {name: {} for name in sorted(set(group_of.values()))},
        counts,
        "programme groups",
    )
    for crebo, values in programmes.items():
        if crebo in group_of:
            values["group"] = groups[group_of[crebo]]
    _sync(Programme, "crebo", programmes, counts, "programmes")

    _sync(
        SbiSection,
        "code",
        {
            r["section"]: {
                "title_nl": r["title_nl_sbi"],
                "title_en": r["title_en_sbi_kvk"],
                "divisions": r["divisions"],
            }
            for r in _rows("sbi2008_sections.csv")
        },
        counts,
        "SBI sections",
    )

    isco = list(_rows("isco08_structure.csv"))
    for level in (1, 2, 3, 4):  # parents before children
        records = {
            r["code"]: {
                "level": level,
                "parent_id": r["parent"] or None,
                "title_en": r["title_en"],
                "title_nl": ISCO_MAJOR_NL.get(r["code"], "") if level == 1 else "",
            }
            for r in isco
            if int(r["level"]) == level
        }
        _sync(OccupationGroup, "code", records, counts, "ISCO-08 groups")
    return counts
