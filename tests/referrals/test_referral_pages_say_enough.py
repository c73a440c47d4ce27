"""What the referral pages must say for a hurried coordinator to decide well (issue 18, item 10; hazard I18-10b):
the concerns and risks on the triage page, a name and a date of birth beside a possible duplicate's reference, and
an allocated family's state instead of a wait."""

from datetime import timedelta

from django.urls import reverse
from django.utils.formats import date_format

from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent, post_data, today

RISKS = "Dog in the house; father has been aggressive to visiting staff."
DETAILS = "Health visitor worried about the mother being low in mood and little eye contact with the baby."


def test_triage_page_shows_the_concerns_and_risks_to_read_before_deciding(login, service, coordinator):
    referral = make_referral(
        service,
        coordinator,
        reason_details=DETAILS,
        risks_to_staff=RISKS,
        safeguarding_status="child_in_need",
    )
    page = login(coordinator).get(reverse("referrals:triage", args=[referral.pk])).content.decode()
    for text in (
        DETAILS,
        "Mother finds it hard to read her baby&#x27;s cues.",
        "Postnatal depression.",
        "Dog in the house; father has been aggressive to visiting staff.",
        referral.get_safeguarding_status_display(),
        'id="triage-concerns"',
        'id="triage-safety"',
    ):
        assert text in page, text
    assert page.index('id="triage-concerns"') < page.index("Record decision")


def test_duplicate_warning_names_the_family_and_the_childs_birth(login, service, coordinator):
    born = today() - timedelta(days=70)
    existing = make_referral(
        service,
        coordinator,
        child_name="Ava Example",
        child_date_of_birth=born,
        parents=[parent(name="Jane Example", nhs_number=TEST_NHS_NUMBERS[0])],
    )
    data = post_data(service, parent1_nhs_number=TEST_NHS_NUMBERS[0])
    page = login(coordinator).post(reverse("referrals:new"), data).content.decode()
    warning = page.split('id="possible-duplicates"')[1].split("</div>")[0]
    assert existing.reference in warning
    assert "Ava Example" in warning and "Jane Example" in warning
    assert f"born {date_format(born, 'j F Y')}" in warning


def test_duplicate_409_names_the_family_and_the_childs_birth(login, service, coordinator):
    born = today() - timedelta(days=70)
    make_referral(
        service,
        coordinator,
        child_name="Ava Example",
        child_date_of_birth=born,
        parents=[parent(name="Jane Example", nhs_number=TEST_NHS_NUMBERS[0])],
    )
    from tests.referrals.test_api import LIST_URL, body, post

    response = post(login(coordinator), LIST_URL, body(service, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])]))
    assert response.status_code == 409
    (found,) = response.json()["possible_duplicates"]
    assert found["child_name"] == "Ava Example" and found["child_date_of_birth"] == born.isoformat()
    assert found["parent_names"] == ["Jane Example"]


def test_allocated_family_shows_who_holds_it_not_a_wait(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(
        service, coordinator, practitioner, date_received=today() - timedelta(days=5), allocated_on=today()
    )
    page = login(coordinator).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    line = page.split('id="wait-or-state"')[1].split("</p>")[0]
    assert "Waiting" not in line and "since received" not in line
    assert f"Allocated to {practitioner.display_name} on {date_format(today(), 'j F Y')}" in line


def test_waiting_family_still_shows_the_wait(login, service, coordinator):
    referral = make_referral(service, coordinator, date_received=today() - timedelta(days=5))
    page = login(coordinator).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Waiting 5 days since received" in page
