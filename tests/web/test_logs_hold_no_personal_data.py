"""No personal data in the logs: a whole journey, every log line searched for the family's details.

The journey runs through the pages and the API as staff would (referral, searches, a refused form, triage,
allocation, consent with a signed form named after the mother, a visit, a letter drafted, approved and made by the
task in-process), with the root logger at DEBUG and the production logging configuration otherwise (so SQL, which
carries the values, stays off as in production). Every line the production handler would write is searched for
the family's names, NHS numbers with and without spaces or dashes, the postcode with and without its space, and
the dates of birth in every format a log could print them.
"""

import json
import logging
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.logs import JsonLinesFormatter
from letters.models import Letter
from referrals.models import Referral
from tests.cycles.helpers_consent import upload, use_private_folder
from tests.referrals.allocation_helpers import set_details
from tests.referrals.helpers import months_ago, post_data, today

MOTHER, CHILD, OLDER = "Zephyrine Quillfeather", "Barnaby Quillfeather", "Ottoline Quillfeather"
MOTHER_NHS, CHILD_NHS = "9990000050", "9990000069"
POSTCODE = "PE3 9QX"
MOTHER_DOB = date(1991, 8, 23)


def forms_of_dates(day: date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day} {day:%B %Y}",
        f"{day:%d %B %Y}",
        f"{day:%d %b %Y}",
        f"{day:%Y%m%d}",
        repr(day),
    ]


def personal_values(child_dob: date) -> list[str]:
    names = [MOTHER, CHILD, OLDER, "Zephyrine", "Quillfeather", "Barnaby", "Ottoline"]
    numbers = []
    for n in (MOTHER_NHS, CHILD_NHS):
        numbers += [n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"]
    return [
        *names,
        *numbers,
        POSTCODE,
        POSTCODE.replace(" ", ""),
        *forms_of_dates(MOTHER_DOB),
        *forms_of_dates(child_dob),
    ]


def leaks(lines: list[str], values: list[str]) -> list[tuple[str, str]]:
    """Every (value, line) where the line holds the value, ignoring case and JSON's escaping."""
    found = []
    for line in lines:
        text = json.loads(line)
        flat = json.dumps(text, ensure_ascii=False).lower()
        for value in values:
            if value.lower() in flat:
                found.append((value, line))
    return found


class Capture(logging.Handler):
    """What the production handler would write: each record through the JSON formatter, one line each."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonLinesFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler = Capture()
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


def test_the_search_finds_a_leak_when_there_is_one():
    values = personal_values(months_ago(2))
    line = JsonLinesFormatter().format(logging.makeLogRecord({"msg": "saw 999 000 0050 at pe3 9qx", "levelno": 20}))
    assert {v for v, _ in leaks([line], values)} == {"999 000 0050", "PE3 9QX"}


def test_sql_is_never_logged_whatever_the_level():
    assert logging.getLogger("django.db.backends").getEffectiveLevel() >= logging.INFO


@pytest.mark.slow
def test_a_whole_journey_leaves_no_personal_data_in_the_logs(
    captured, login, service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    child_dob = months_ago(2)
    set_details(practitioner, service, coordinator)
    desk = login(coordinator)

    # A referral typed with a mistake first (refused, the form shown again), then saved.
    form = post_data(
        service,
        child_name=CHILD,
        child_date_of_birth=child_dob.isoformat(),
        child_nhs_number=f"{CHILD_NHS[:3]} {CHILD_NHS[3:6]} {CHILD_NHS[6:]}",
        parent1_name=MOTHER,
        parent1_nhs_number=MOTHER_NHS,
        parent1_postcode=POSTCODE,
        parent1_date_of_birth=MOTHER_DOB.isoformat(),
        parent1_address=f"1 Lark Rise, Peterborough {POSTCODE}",
        other1_name=OLDER,
        other1_date_of_birth=(today() - timedelta(days=14 * 365)).isoformat(),
    )
    refused = desk.post(reverse("referrals:new"), {**form, "date_received": (today() + timedelta(days=5)).isoformat()})
    assert refused.status_code in (200, 400)
    saved = desk.post(reverse("referrals:new"), form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    referral = Referral.objects.get(child_name=CHILD)

    # Searches put the family's details in the query string; a typed URL puts a name in the path.
    searches = [
        {"name": MOTHER},
        {"name": "Quillfeather"},
        {"nhs_number": MOTHER_NHS},
        {"nhs_number": "999 000 0050"},
        {"postcode": POSTCODE},
        {
            "date_of_birth_day": MOTHER_DOB.day,
            "date_of_birth_month": MOTHER_DOB.month,
            "date_of_birth_year": MOTHER_DOB.year,
        },
    ]
    for query in searches:
        assert desk.get(reverse("referrals:search"), query).status_code == 200
    assert desk.get(reverse("referrals:search"), {"nhs_number": "999 000 0051", "name": MOTHER}).status_code == 400
    assert desk.get(f"/referrals/{MOTHER.replace(' ', '-')}/").status_code == 404
    assert desk.get("/api/v1/referrals/", {"search": MOTHER}).status_code in (200, 400)

    # Triage and allocation through the pages.
    assert desk.post(reverse("referrals:triage", args=[referral.pk]), {"decision": "accept"}).status_code == 302
    allocate = desk.post(reverse("referrals:allocate", args=[referral.pk]), {"practitioner": practitioner.pk})
    assert allocate.status_code == 302, allocate.content.decode()[:2000]

    # Consent with a signed form whose file name is the mother's name, then a visit booked and recorded.
    work = login(practitioner)
    mother = referral.parents.get()
    consent = work.post(
        reverse("cycles:consent_record", args=[referral.pk]),
        {
            "given_on": today().isoformat(),
            f"gave_parent_{mother.pk}": "on",
            f"items_parent_{mother.pk}": ["filming", "supervisor_viewing"],
            "written_agreement_given": "on",
            "sharing_with": "",
            "notes": f"{MOTHER} signed at home",
            "signed_form": upload(name=f"{MOTHER} consent {MOTHER_DOB:%d-%m-%Y}.pdf"),
        },
    )
    assert consent.status_code == 302, consent.content.decode()[:2000]
    booked = work.post(
        reverse("api:visit-list", args=[referral.pk]),
        {"planned_at": timezone.now().isoformat(), "place": "home"},  # not before today's allocation
        content_type="application/json",
    )
    assert booked.status_code == 201, booked.json()
    recorded = work.post(
        reverse("api:visit-record", args=[booked.json()["id"]]),
        {"outcome": "attended", "duration_minutes": 45, "notes": f"Saw {MOTHER} and {CHILD}"},
        content_type="application/json",
    )
    assert recorded.status_code == 200, recorded.json()

    # A letter drafted, approved and made (the task runs in-process at commit), then downloaded.
    drafted = work.post(reverse("letters:draft", kwargs={"pk": referral.pk, "kind": "handover"}))
    assert drafted.status_code == 302, drafted.content.decode()[:2000]
    letter = Letter.objects.get(referral=referral, kind="handover")
    with django_capture_on_commit_callbacks(execute=True):
        approved = work.post(reverse("letters:approve", kwargs={"letter_id": letter.pk}), {})
    assert approved.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "ready", letter.error
    assert work.get(reverse("letters:download", kwargs={"letter_id": letter.pk})).status_code == 200

    lines = list(captured)
    assert len(lines) > 20 and any('"route": "letters:approve"' in line for line in lines)
    found = leaks(lines, personal_values(child_dob))
    assert not found, "\n".join(f"{value!r} in {line}" for value, line in found[:20])
    for line in lines:
        assert not re.search(r"[?&](name|nhs_number|postcode)=", line), line
