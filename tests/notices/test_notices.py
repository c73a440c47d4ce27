"""Notices: raised once, shown first on the recipient's home page, closed only by the recipient with an action."""

import pytest
from django.urls import reverse

from notices import actions
from notices.models import Notice, NoticeKind
from referrals.models import ReferralEvent
from tests.referrals.helpers import make_referral


@pytest.fixture
def notice(service, coordinator, practitioner):
    referral = make_referral(service, coordinator)
    return actions.raise_notice(
        recipient=practitioner,
        kind=NoticeKind.OTHER,
        summary="Check the footage of R-1",
        referral=referral,
        obj=referral,
    )


def test_raising_twice_keeps_one_open_notice(notice, practitioner):
    again = actions.raise_notice(
        recipient=practitioner, kind=NoticeKind.OTHER, summary="Again", referral=notice.referral, obj=notice.referral
    )
    assert again.pk == notice.pk
    assert Notice.objects.open().count() == 1


def test_home_page_shows_open_notices_first(login, notice, practitioner):
    content = login(practitioner).get(reverse("home")).content.decode()
    assert "Needs your attention" in content and "Check the footage of R-1" in content
    assert content.index("Needs your attention") < content.index("Hello") + 2000


def test_acknowledging_needs_an_action_and_goes_into_the_history(login, notice, practitioner):
    client = login(practitioner)
    url = reverse("notices:acknowledge", args=[notice.pk])
    refused = client.post(url, {"action_taken": ""})
    assert refused.status_code == 400 and "What did you do about it?" in refused.content.decode()
    assert client.post(url, {"action_taken": "Phoned the parent"}).status_code == 302
    notice.refresh_from_db()
    assert not notice.is_open and notice.acknowledged_by == practitioner
    assert ReferralEvent.objects.filter(referral=notice.referral, kind="notice_acknowledged").exists()
    assert "Needs your attention" not in client.get(reverse("home")).content.decode()


def test_someone_elses_notice_is_not_found(login, notice, other_practitioner):
    client = login(other_practitioner)
    assert client.get(reverse("notices:acknowledge", args=[notice.pk])).status_code == 404
    assert client.post(f"/api/v1/notices/{notice.pk}/acknowledge/", {"action_taken": "x"}).status_code == 404


def test_api_lists_and_acknowledges_once(login, notice, practitioner):
    client = login(practitioner)
    listed = client.get("/api/v1/notices/?open=true").json()
    assert [n["id"] for n in listed["results"]] == [notice.pk]
    done = client.post(
        f"/api/v1/notices/{notice.pk}/acknowledge/", {"action_taken": "Done"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["action_taken"] == "Done"
    again = client.post(
        f"/api/v1/notices/{notice.pk}/acknowledge/", {"action_taken": "Done"}, content_type="application/json"
    )
    assert again.status_code == 409
