from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from referrals import actions
from referrals.models import Referral
from referrals.states import ReferralStatus
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent, post_data, today


@pytest.fixture
def referral(service, coordinator):
    return make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])])


def test_record_referral_with_bad_field_shows_error_and_saves_nothing(login, coordinator, service):
    client = login(coordinator)
    response = client.post(reverse("referrals:new"), post_data(service, parent1_nhs_number="943 476 5918"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "This is not a valid NHS number" in content
    assert 'id="id_parent1_nhs_number-error"' in content
    assert not Referral.objects.exists()
    response = client.post(reverse("referrals:new"), post_data(service, parent1_nhs_number="999 000 0018"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.parents.get().nhs_number == "9990000018"
    assert AccessEvent.objects.filter(action=AccessAction.CREATE, object_id=str(referral.pk)).exists()


def test_record_referral_future_date_error_next_to_field(login, coordinator, service):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = login(coordinator).post(reverse("referrals:new"), post_data(service, date_received=tomorrow))
    assert response.status_code == 400
    assert "Date received must be today or in the past" in response.content.decode()


def test_possible_duplicate_shown_before_saving(login, coordinator, service, referral):
    client = login(coordinator)
    data = post_data(service, parent1_nhs_number=TEST_NHS_NUMBERS[0])
    response = client.post(reverse("referrals:new"), data)
    assert response.status_code == 200
    assert b"Possible duplicate" in response.content and referral.reference.encode() in response.content
    assert Referral.objects.count() == 1
    response = client.post(reverse("referrals:new"), {**data, "confirm_not_duplicate": "yes"})
    assert response.status_code == 302
    assert Referral.objects.count() == 2


def test_duplicate_in_other_service_never_revealed(login, other_coordinator, other_service, referral):
    knowsley = other_service.sites.get(name="Knowsley")
    data = post_data(
        other_service,
        site=knowsley.pk,
        referral_source=other_service.referral_sources.first().pk,
        parent1_postcode="L36 0UB",
        parent1_nhs_number=TEST_NHS_NUMBERS[0],
    )
    response = login(other_coordinator).post(reverse("referrals:new"), data)
    assert response.status_code == 302
    assert referral.reference.encode() not in response.content


@pytest.mark.parametrize("who", ["practitioner", "manager", "nobody", "supervisor"])
def test_only_coordinators_record_referrals(login, who, request, services):
    user = request.getfixturevalue(who)
    assert login(user).get(reverse("referrals:new")).status_code == 403


def test_detail_is_logged(login, coordinator, referral):
    response = login(coordinator).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    assert b"Referral recorded" in response.content  # timeline
    assert AccessEvent.objects.filter(action=AccessAction.VIEW, object_id=str(referral.pk), user_id=coordinator.pk)


@pytest.mark.parametrize("who", ["other_coordinator", "other_manager", "practitioner", "nobody"])
def test_detail_hidden_from_those_without_access(login, referral, who, request):
    user = request.getfixturevalue(who)
    client = login(user)
    for name in ("detail", "edit", "triage", "withdraw", "information_received", "record_birth"):
        assert client.get(reverse(f"referrals:{name}", args=[referral.pk])).status_code == 404, name
    response = client.post(reverse("referrals:triage", args=[referral.pk]), {"decision": "accept"})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_site_coordinator_sees_only_their_sites(login, site_coordinator, service, coordinator, cambridgeshire):
    elsewhere = make_referral(service, coordinator, site=cambridgeshire)
    assert login(site_coordinator).get(reverse("referrals:detail", args=[elsewhere.pk])).status_code == 404


def test_manager_can_view_but_not_decide(login, manager, referral):
    client = login(manager)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert client.post(reverse("referrals:triage", args=[referral.pk]), {"decision": "accept"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_triage_page_decides_and_refuses_second_decision(login, coordinator, referral):
    client = login(coordinator)
    url = reverse("referrals:triage", args=[referral.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 302
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 409
    assert "You cannot accept this referral because it is accepted" in response.content.decode()


def test_triage_decline_without_reason_shows_error_next_to_field(login, coordinator, referral):
    response = login(coordinator).post(reverse("referrals:triage", args=[referral.pk]), {"decision": "decline"})
    assert response.status_code == 400
    assert 'id="id_reason-error"' in response.content.decode()


def test_confidential_address_never_shown_in_lists(login, coordinator, service):
    hidden = make_referral(
        service,
        coordinator,
        confidential_address=True,
        parents=[parent(postcode="PE2 9ZZ", address="7 Secret Lane", nhs_number=TEST_NHS_NUMBERS[3])],
    )
    client = login(coordinator)
    queue = client.get(reverse("referrals:triage_queue")).content.decode()
    assert hidden.reference in queue and "PE2 9ZZ" not in queue and "Secret Lane" not in queue
    found = client.get(reverse("referrals:search"), {"nhs_number": TEST_NHS_NUMBERS[3]}).content.decode()
    assert hidden.reference in found and "PE2 9ZZ" not in found and "Secret Lane" not in found
    by_postcode = client.get(reverse("referrals:search"), {"postcode": "PE2 9ZZ"}).content.decode()
    assert hidden.reference not in by_postcode
    detail = client.get(reverse("referrals:detail", args=[hidden.pk])).content.decode()
    assert "Secret Lane" not in detail
    revealed = client.get(reverse("referrals:detail", args=[hidden.pk]), {"show_address": "1"}).content.decode()
    assert "Secret Lane" in revealed
    assert AccessEvent.objects.filter(detail__confidential_address_shown=True, object_id=str(hidden.pk)).exists()


def test_search_by_nhs_number_within_scope_and_logged_without_value(
    login, coordinator, referral, other_service, other_coordinator
):
    knowsley = other_service.sites.get(name="Knowsley")
    theirs = make_referral(
        other_service,
        other_coordinator,
        site=knowsley,
        parents=[parent(nhs_number=TEST_NHS_NUMBERS[0], postcode="L36 0UB")],
    )
    response = login(coordinator).get(reverse("referrals:search"), {"nhs_number": "999 000 0018"})
    content = response.content.decode()
    assert referral.reference in content and theirs.reference not in content
    event = AccessEvent.objects.get(action=AccessAction.SEARCH)
    assert event.detail["ids_shown"] == [referral.pk]
    assert "9990000018" not in str(event.detail) and "999 000 0018" not in str(event.detail)


def test_search_with_nothing_entered_says_what_to_enter(login, coordinator, services):
    response = login(coordinator).get(reverse("referrals:search"), {"name": ""})
    assert response.status_code == 400
    assert "Enter an NHS number, name, date of birth or postcode" in response.content.decode()


def test_triage_queue_oldest_first_only_untriaged_and_filterable(
    login, coordinator, service, peterborough, cambridgeshire
):
    old = make_referral(service, coordinator, date_received=today() - timedelta(days=20), site=peterborough)
    new = make_referral(service, coordinator, date_received=today() - timedelta(days=1), site=cambridgeshire)
    accepted = make_referral(service, coordinator)
    actions.triage_referral(referral=accepted, decision="accept", by=coordinator)
    client = login(coordinator)
    content = client.get(reverse("referrals:triage_queue")).content.decode()
    assert content.index(old.reference) < content.index(new.reference)
    assert accepted.reference not in content
    filtered = client.get(reverse("referrals:triage_queue"), {"site": cambridgeshire.pk}).content.decode()
    assert new.reference in filtered and old.reference not in filtered


def test_triage_queue_query_count_constant(login, coordinator, service):
    client = login(coordinator)

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("referrals:triage_queue")).status_code == 200
        return len(captured)

    for _ in range(5):
        make_referral(service, coordinator)
    five = count_queries()
    for _ in range(45):
        make_referral(service, coordinator, confidential_address=True)
    assert count_queries() == five


def test_update_form_corrects_and_keeps_history(login, coordinator, service, referral):
    client = login(coordinator)
    assert client.get(reverse("referrals:edit", args=[referral.pk])).status_code == 200
    data = post_data(
        service, gp_practice="Corrected Surgery", parent1_nhs_number=TEST_NHS_NUMBERS[0], site=referral.site_id
    )
    assert client.post(reverse("referrals:edit", args=[referral.pk]), data).status_code == 302
    referral.refresh_from_db()
    assert referral.gp_practice == "Corrected Surgery"
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Corrected Surgery" in detail and "Referral updated" in detail


def test_form_refuses_another_services_site_and_source(login, coordinator, service, other_service):
    knowsley = other_service.sites.get(name="Knowsley")
    data = post_data(service, site=knowsley.pk, referral_source=other_service.referral_sources.first().pk)
    response = login(coordinator).post(reverse("referrals:new"), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_site-error"' in content and 'id="id_referral_source-error"' in content
    assert not Referral.objects.exists()


def test_new_referral_for_a_service_the_user_does_not_coordinate_is_404(login, coordinator, other_service):
    response = login(coordinator).get(reverse("referrals:new"), {"service": other_service.slug})
    assert response.status_code == 404


@pytest.mark.slow
def test_search_query_count_does_not_grow(login, coordinator, service):
    client = login(coordinator)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("referrals:search"), {"name": "Jane"}).status_code == 200
        return len(captured)

    for _ in range(5):
        make_referral(service, coordinator)
    five = count()
    for _ in range(45):
        make_referral(service, coordinator)
    assert count() == five
