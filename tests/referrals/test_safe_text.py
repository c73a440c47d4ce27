"""What an outside tester stored, refused now: 100,000 characters of reason and a name full of control codes.

Each is tried through the page form, the API and the actions, and ordinary names in other scripts still save.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals import actions
from referrals.models import Referral
from tests.referrals.helpers import make_referral, make_unborn_referral, parent, post_data, referral_data
from tests.referrals.test_api import LIST_URL, body, post, put, url

HUGE = "x" * 100_000
SPOOFED_NAME = "Ann\x07\x1b[31m\u202eSmith"
UNSAFE = "must not contain control characters or text-direction codes"


@pytest.fixture
def referral(service, coordinator):
    return make_referral(service, coordinator)


# --- the page form -------------------------------------------------------------------------------------------------


def test_page_form_refuses_huge_reason_details(login, coordinator, service):
    response = login(coordinator).post(reverse("referrals:new"), post_data(service, reason_details=HUGE))
    assert response.status_code == 400
    assert "must be 5,000 characters or fewer" in response.context["form"].errors["reason_details"][0]
    assert not Referral.objects.exists()


def test_page_form_refuses_spoofed_parent_name_naming_the_field(login, coordinator, service):
    response = login(coordinator).post(reverse("referrals:new"), post_data(service, parent1_name=SPOOFED_NAME))
    assert response.status_code == 400
    assert response.context["form"].errors["parent1_name"] == [f"Parent 1: Name {UNSAFE}"]
    assert not Referral.objects.exists()


def test_page_form_refuses_spoofed_referrer_and_question_answer(login, coordinator, service):
    service.referral_questions.create(key="why_now", text="Why now", required=False)  # configuration, not a record
    data = post_data(service, referrer_name="Helen\u202eVisitor", question_why_now="Yes\x1b[2J")
    response = login(coordinator).post(reverse("referrals:new"), data)
    errors = response.context["form"].errors
    assert errors["referrer_name"] == [f"Referrer name {UNSAFE}"]
    assert errors["question_why_now"] == [f"Why now {UNSAFE}"]


def test_page_form_keeps_line_breaks_and_welsh_names(login, coordinator, service):
    data = post_data(
        service, parent1_name="Siân Llŷr", reason_details="First line.\r\nSecond line.", child_name="Łucja Żółć"
    )
    response = login(coordinator).post(reverse("referrals:new"), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.parents.get().name == "Siân Llŷr"
    assert referral.child_name == "Łucja Żółć"
    assert referral.reason_details == "First line.\r\nSecond line."


def test_decline_reason_with_direction_codes_refused_on_the_page(login, coordinator, referral):
    response = login(coordinator).post(
        reverse("referrals:triage", args=[referral.pk]), {"decision": "decline", "reason": "Out of area\u202e"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [f"Reason for declining {UNSAFE}"]


def test_withdraw_reason_too_long_refused_on_the_page(login, coordinator, referral):
    response = login(coordinator).post(reverse("referrals:withdraw", args=[referral.pk]), {"reason": HUGE})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "received"


# --- the API -------------------------------------------------------------------------------------------------------


def test_api_refuses_huge_reason_details_with_field_error(login, coordinator, service):
    response = post(login(coordinator), LIST_URL, body(service, reason_details=HUGE))
    assert response.status_code == 400
    assert "reason_details" in response.json()
    assert not Referral.objects.exists()


def test_api_refuses_spoofed_parent_name_with_field_error(login, coordinator, service):
    response = post(login(coordinator), LIST_URL, body(service, parents=[parent(name=SPOOFED_NAME)]))
    assert response.status_code == 400
    assert response.json() == {"parents": {"0": {"name": [f"Name {UNSAFE}"]}}}


def test_api_refuses_spoofed_names_on_update(login, coordinator, service, referral):
    response = put(login(coordinator), url("detail", referral), body(service, child_name=SPOOFED_NAME))
    assert response.status_code == 400
    assert response.json() == {"child_name": [f"Child name {UNSAFE}"]}


def test_api_refuses_control_codes_in_question_answers(login, coordinator, service):
    data = body(service, question_answers={"anything": "ok\x07"})
    response = post(login(coordinator), LIST_URL, data)
    assert response.status_code == 400
    assert "question_answers" in response.json()


def test_api_refuses_unsafe_reasons_on_actions(login, coordinator, referral):
    client = login(coordinator)
    response = post(client, url("withdraw", referral), {"reason": HUGE})
    assert response.status_code == 400 and "reason" in response.json()
    response = post(client, url("triage", referral), {"decision": "decline", "reason": "no\x1b[31m"})
    assert response.status_code == 400
    assert response.json() == {"reason": [f"Reason {UNSAFE}"]}


def test_api_accepts_names_in_other_scripts(login, coordinator, service):
    people = [parent(name="محمد عبد الله"), parent(name="Zoë 😀", relationship="Father")]
    response = post(login(coordinator), LIST_URL, body(service, parents=people, confirm_not_duplicate=True))
    assert response.status_code == 201, response.json()
    assert [p["name"] for p in response.json()["parents"]] == ["محمد عبد الله", "Zoë 😀"]


# --- the actions ---------------------------------------------------------------------------------------------------


def test_create_referral_action_refuses_spoofed_name_and_huge_text(coordinator, service):
    with pytest.raises(ValidationError) as caught:
        actions.create_referral(
            service=service,
            data=referral_data(service, reason_details=HUGE),
            parents=[parent(name=SPOOFED_NAME)],
            by=coordinator,
            confirmed_not_duplicate=True,
        )
    assert set(caught.value.message_dict) == {"reason_details", "parent1_name"}
    assert not Referral.objects.exists()


def test_update_referral_action_refuses_spoofed_older_child(coordinator, service, referral):
    with pytest.raises(ValidationError) as caught:
        actions.update_referral(
            referral=referral,
            data=referral_data(service),
            parents=[parent()],
            other_children=[{"name": SPOOFED_NAME, "date_of_birth": None, "consent_to_filming": "unknown"}],
            by=coordinator,
        )
    assert list(caught.value.message_dict) == ["older_child1_name"]


def test_triage_and_withdraw_actions_refuse_unsafe_reasons(coordinator, referral):
    with pytest.raises(ValidationError) as caught:
        actions.triage_referral(referral=referral, decision="decline", reason=HUGE, by=coordinator)
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.withdraw_referral(referral=referral, reason="moved\u2066away", by=coordinator)
    referral.refresh_from_db()
    assert referral.status == "received" and not referral.triage_decisions.exists()


def test_record_birth_action_refuses_spoofed_child_name(coordinator, service):
    from tests.referrals.helpers import today

    unborn = make_unborn_referral(service, coordinator, due=today())
    with pytest.raises(ValidationError) as caught:
        actions.record_birth(referral=unborn, date_of_birth=today(), name=SPOOFED_NAME, by=coordinator)
    assert list(caught.value.message_dict) == ["name"]
