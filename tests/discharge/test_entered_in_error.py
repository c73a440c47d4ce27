"""A discharge's requested action entered in error (issue 18, item 4): it stays in the discharge, struck through
with who, when and why, and leaves the letters drafted from it."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.refusals import ActionRefused
from discharge import actions
from discharge.actions.letters import _contents
from letters.states import LetterKind
from referrals.models import ReferralEvent
from tests.discharge.helpers_discharge import REQUESTED, discharge, family

REASON = "Meant for another family"


@pytest.fixture
def discharged(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    return discharge(referral, practitioner, requested_actions=[*REQUESTED, {**REQUESTED[0], "what": "Weigh"}])


def test_a_requested_action_marked_leaves_the_letters_and_stays_struck_through(discharged, practitioner):
    marked = actions.mark_requested_action_entered_in_error(
        discharge=discharged, number=1, reason=REASON, by=practitioner
    )
    item = marked.requested_actions[0]
    assert item["entered_in_error"] is True and item["entered_in_error_reason"] == REASON
    assert item["entered_in_error_by"] == practitioner.pk and item["what"] == REQUESTED[0]["what"]
    assert [a["what"] for a in _contents(marked, practitioner)[LetterKind.HANDOVER]["actions"]] == ["Weigh"]
    event = ReferralEvent.objects.get(referral=discharged.referral, kind="entered_in_error")
    assert event.changes["reason"] == [None, REASON]
    with pytest.raises(ActionRefused, match="already marked"):
        actions.mark_requested_action_entered_in_error(discharge=marked, number=1, reason="again", by=practitioner)


def test_who_may_and_the_reason(discharged, manager, coordinator, practitioner):
    with pytest.raises(PermissionDenied):
        actions.mark_requested_action_entered_in_error(discharge=discharged, number=1, reason=REASON, by=manager)
    for number, reason in ((1, " "), (3, REASON), (0, REASON)):
        with pytest.raises(ValidationError):
            actions.mark_requested_action_entered_in_error(
                discharge=discharged, number=number, reason=reason, by=practitioner
            )
    actions.mark_requested_action_entered_in_error(discharge=discharged, number=2, reason=REASON, by=coordinator)


def test_api_and_page(login, discharged, practitioner, manager):
    referral = discharged.referral
    api = reverse("api:referral-requested-action-entered-in-error", args=[referral.pk, 1])
    body = json.dumps({"reason": REASON})
    assert login(manager).post(api, data=body, content_type="application/json").status_code == 403
    missing = reverse("api:referral-requested-action-entered-in-error", args=[referral.pk, 9])
    assert login(practitioner).post(missing, data=body, content_type="application/json").status_code == 404
    page_url = reverse("discharge:requested_action_entered_in_error", args=[referral.pk, 2])
    record = reverse("referrals:detail", args=[referral.pk])
    assert page_url not in login(manager).get(record).content.decode()
    client = login(practitioner)
    assert page_url in client.get(record).content.decode()
    response = client.post(api, data=body, content_type="application/json")
    assert response.status_code == 200 and response.json()["requested_actions"][0]["entered_in_error"] is True
    assert client.post(page_url, {"reason": "Duplicate"}).status_code == 302
    shown = client.get(record).content.decode()
    assert shown.count("<del>") >= 2 and "Duplicate" in shown and REASON in shown
