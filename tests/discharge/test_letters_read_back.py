"""Every seed service's family, referrer, handover and decline letters, rendered and read back with pypdf as the
family and the health visitor will read them (issue 19): who it is about on every page, the address block, the
sign-off, the service's contact details, no page holding only the closing, copies only to agreed recipients."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from letters import actions as letter_actions
from letters import rendering
from letters.models import Letter, LetterSettings
from referrals import actions as referral_actions
from referrals.models import Allocation
from referrals.nhs_number import display
from tests.discharge.helpers_discharge import discharge, require_only_epds_at_end, with_measures_and_goals
from tests.factories import staff
from tests.referrals.allocation_helpers import set_details
from tests.referrals.helpers import make_referral, parent
from tooling.seeds import SEED_SERVICES

MOTHER = {"name": "Olivia Grant", "date_of_birth": date(1994, 2, 3), "nhs_number": "9990000174"}
FATHER = {"name": "Daniel Grant", "date_of_birth": date(1991, 11, 20), "nhs_number": "9990000182"}
# Long enough that every letter runs over a page, so "on every page" means more than the first.
LONG = " ".join(["We met every fortnight and watched short clips of the family together."] * 26)
KINDS = ["family", "referrer", "handover", "decline"]


def pages_of(letter) -> list[str]:
    """Each page's text, as pypdf reads it back (line breaks folded into spaces)."""
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def _family(service, coordinator, practitioner, **overrides):
    """A family with two parents (each with an NHS number) and a child with none, accepted and allocated."""
    parents = [parent(**MOTHER, relationship="Mother"), parent(**FATHER, relationship="Father", address="")]
    overrides.setdefault("child_name", "Baby Grant")
    overrides.setdefault("referrer_name", "Rita Referrer")
    overrides.setdefault("date_received", date.today() - timedelta(days=90))  # before any measure it records
    overrides.setdefault("child_date_of_birth", date.today() - timedelta(days=120))
    referral = make_referral(service, coordinator, parents=parents, child_nhs_number="", **overrides)
    return referral


def _allocated(service, coordinator, practitioner, **overrides):
    referral = _family(service, coordinator, practitioner, **overrides)
    referral_actions.triage_referral(
        referral=referral, decision="accept", by=coordinator, override_reason="Agreed with the referrer"
    )
    referral_actions.allocate_referral(referral=referral, practitioner=practitioner, by=coordinator)
    # Allocated on the day received, so the discharge (dated in the past) is not before it (cycles.dates).
    allocated_at = timezone.make_aware(datetime.combine(referral.date_received, time(9)))
    Allocation.objects.filter(referral=referral).update(allocated_at=min(allocated_at, timezone.now()))
    referral.refresh_from_db()
    return referral


def _people(service_seed: dict):
    from accounts.models import Service

    service = Service.objects.get(slug=service_seed["slug"])
    site = service.sites.order_by("name").last()
    coordinator = staff(f"coordinator_{service_seed['seed']}", service, Role.COORDINATOR)
    practitioner = staff(f"practitioner_{service_seed['seed']}", service, Role.PRACTITIONER, sites=[site])
    practitioner.first_name, practitioner.last_name, practitioner.job_title = "Priya", "Patel", "VIG practitioner"
    practitioner.save()
    set_details(practitioner, service, coordinator, capacity=60)
    return service, coordinator, practitioner


def _letter(kind: str, service, coordinator, practitioner, capture, measures=False, **discharge_overrides) -> Letter:
    """The letter of this kind, drafted through the actions (discharge or decline), approved and made."""
    if kind == "decline":
        referral = _family(service, coordinator, practitioner)
        referral_actions.triage_referral(referral=referral, decision="decline", reason=LONG, by=coordinator)
        letter = letter_actions.draft_letter(referral=referral, kind="decline", by=coordinator)
        approver = coordinator
    else:
        referral = _allocated(service, coordinator, practitioner)
        if measures:
            require_only_epds_at_end(service)
            with_measures_and_goals(referral, practitioner)
        overrides = {"summary": LONG, "did_well": LONG, "ideas": "Keep reading picture books at bedtime."}
        discharge(referral, practitioner, **{**overrides, **discharge_overrides})
        letter = Letter.objects.get(referral=referral, kind=kind)
        approver = practitioner
    with capture(execute=True):
        letter_actions.approve_letter(letter=letter, by=approver)
    letter.refresh_from_db()
    assert letter.status == "ready", letter.error
    return letter


def _identifiers_on(page: str, number: int, kind: str) -> None:
    for person in (MOTHER, FATHER):
        assert person["name"] in page, f"{kind}: page {number} lacks {person['name']}"
        assert f"{person['date_of_birth']:%-d %B %Y}" in page, f"{kind}: page {number} lacks a parent's birth date"
        assert f"NHS number: {display(person['nhs_number'])}" in page, f"{kind}: page {number} lacks an NHS number"
    assert "Baby Grant" in page and "NHS number: not known" in page, f"{kind}: page {number} lacks the child"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEED_SERVICES, ids=lambda seed: seed["seed"])
def test_each_seed_services_letters_read_back_as_a_good_letter(
    services, seed, kind, django_capture_on_commit_callbacks
):
    service, coordinator, practitioner = _people(seed)
    letter = _letter(kind, service, coordinator, practitioner, django_capture_on_commit_callbacks)
    pages = pages_of(letter)
    assert len(pages) >= 2, f"{kind}: the test means every page, so the letter must run over one"
    child_born = letter.referral.child_date_of_birth
    for number, page in enumerate(pages, start=1):
        _identifiers_on(page, number, kind)
        assert f"{child_born:%-d %B %Y}" in page

    first, whole = pages[0], " ".join(pages)
    # Addressed like a letter: the recipient's name and postal address, not a phone number.
    expected_address = {
        "family": ["Olivia Grant, Daniel Grant", "1 Test Street, Peterborough", "PE1 1AA"],
        "handover": ["Helen Visitor", "Test health visiting team", "Test Clinic", "2 Clinic Road", "PE1 2BB"],
        "referrer": ["Rita Referrer", "Health visitor", "Test health visiting team"],
        "decline": ["Rita Referrer", "Health visitor", "Test health visiting team"],
    }[kind]
    for line in expected_address:
        assert line in first, f"{kind}: the address block lacks {line!r}"
    assert flat(letter.recipient_address) in flat(first)
    assert "01234 000000" not in flat(letter.recipient_address)

    # The service's contact details, where the letter says how to reach it, and in the letterhead.
    contact = LetterSettings.objects.get(service=service)
    closing_page = next(page for page in pages if "Yours sincerely" in page)
    for value in (contact.phone, contact.email, flat(contact.address_block)):
        assert value in first, f"{kind}: the letterhead lacks {value!r}"
    inline = ", ".join(line.strip() for line in contact.address_block.splitlines())
    for value in (contact.phone, contact.email, inline):
        assert value in closing_page, f"{kind}: 'Who to contact' lacks {value!r}"

    # Signed like a letter: "Dear …" opens it, "Yours sincerely", then name, role and service close it.
    assert "Dear " in first
    signature = closing_page[closing_page.index("Yours sincerely") :]
    for value in ("Priya Patel" if kind != "decline" else coordinator.get_full_name(), flat(contact.sign_off)):
        assert value in signature, f"{kind}: the signature lacks {value!r}"
    if kind != "decline":
        assert "VIG practitioner" in signature

    # Never a page holding only the closing: the body's last part is on the page with the signature.
    last_label = rendering.letter_context(letter)["body"][-1]["label"]
    assert last_label in closing_page, f"{kind}: the closing sits on a page without the letter's last part"

    # Only what the reader needs; copies only to those the family agreed to, never the GP.
    for furniture in ("Distribution list", "Person completing the record", "Version 1", "Assessment scales"):
        assert furniture not in whole, f"{kind}: {furniture!r} is record-keeping, not for the reader"
    copies = whole[whole.index("Copy to:") :] if "Copy to:" in whole else ""
    assert "Surgery" not in copies and "GP" not in copies
    if kind == "handover":
        assert "Copy to: Rita Referrer" in whole
    elif kind == "referrer":
        assert "Copy to: Helen Visitor" in whole
    else:
        assert not copies, f"{kind}: copied to {copies!r}"


@pytest.mark.parametrize("kind", ["referrer", "handover"])
def test_a_professionals_letter_is_copied_to_nobody_the_family_did_not_agree_to(
    services, kind, django_capture_on_commit_callbacks
):
    service, coordinator, practitioner = _people(SEED_SERVICES[0])
    agreed = {"letter_to_referrer_agreed": kind == "referrer", "letter_to_health_visitor_agreed": kind == "handover"}
    letter = _letter(kind, service, coordinator, practitioner, django_capture_on_commit_callbacks, **agreed)
    whole = " ".join(pages_of(letter))
    assert "Copy to" not in whole and letter.content["copies"] == []
    assert set(Letter.objects.filter(referral=letter.referral).values_list("kind", flat=True)) == {"family", kind}


def test_the_handover_tells_the_health_visitor_on_its_first_page_what_to_do_by_when_and_whom_to_call(
    services, django_capture_on_commit_callbacks
):
    service, coordinator, practitioner = _people(SEED_SERVICES[0])
    letter = _letter("handover", service, coordinator, practitioner, django_capture_on_commit_callbacks, measures=True)
    first = pages_of(letter)[0]
    for expected in ("Baby Grant", "What we ask you to do", "Offer a review visit at 12 months", "1 June 2027"):
        assert expected in first, f"the first page lacks {expected!r}"
    assert LetterSettings.objects.get(service=service).phone in first
    text = " ".join(pages_of(letter))
    headings = ["Reason for referral", "What was done", "Outcomes", "Risks and safeguarding", "Plan", "Who to contact"]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions), "the PRSB headings are out of order"
    assert "Safeguarding status: None known" in text
    assert "Helping question Start End" in text and "Band" in text  # measures have bands; helping questions none


def test_a_table_leaves_out_a_column_no_row_fills():
    rows = [{"name": "What helps us enjoy time together?", "start": "2 out of 10", "end": "", "band": ""}]
    columns = [("name", "Question"), ("start", "Start"), ("end", "End"), ("band", "Band")]
    assert rendering.table(rows, columns) == {
        "headers": ["Question", "Start"],
        "rows": [[rows[0]["name"], "2 out of 10"]],
    }
    assert rendering.table([], columns) is None


def test_the_family_letter_speaks_to_them_plainly(services, django_capture_on_commit_callbacks):
    service, coordinator, practitioner = _people(SEED_SERVICES[0])
    letter = _letter("family", service, coordinator, practitioner, django_capture_on_commit_callbacks)
    text = " ".join(pages_of(letter))
    assert "Dear Olivia Grant and Daniel Grant, thank you" in text and "Yours sincerely" in text
    assert "What you did well" in text and "How to reach us" in text
    for jargon in ("Assessment scales", "Band", "Measure", "Patient details", "Distribution"):
        assert jargon not in text, jargon
