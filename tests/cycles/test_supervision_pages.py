"""Supervision and training pages: who sees what, recording through the forms, and fixed query counts."""

from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessEvent, Role, TrainingStatus
from cycles import actions
from cycles.models import ConsentItem, Cycle, StageReached, SupervisionSession
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    membership_of,
    trainee_family,
    trainee_with_supervisor,
)
from tests.factories import staff


@pytest.fixture
def setup(service, coordinator, trainee, supervisor):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee)
    cycle = make_cycle(family, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    return membership, family, cycle


def test_supervisor_page_lists_trainees_and_cycles_waiting_for_sign_off(login, setup, supervisor, trainee):
    membership, family, cycle = setup
    response = login(supervisor).get(reverse("cycles:supervision"))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(str(trainee)) in body and family.reference in body  # names like O'Brien are escaped
    assert f"{reverse('cycles:record_supervision', args=[membership.pk])}?cycle={cycle.pk}" in body
    assert 'href="/cycles/supervision/"' in body  # the nav item
    assert AccessEvent.objects.filter(object_type="cycles.cycle", detail__ids_shown=[cycle.pk]).exists()


def test_supervisor_page_shows_nothing_of_another_supervisors_trainees(login, setup, service):
    _, family, _ = setup
    another = staff("another_supervisor", service, Role.SUPERVISOR)
    body = login(another).get(reverse("cycles:supervision")).content.decode()
    assert family.reference not in body and "not named as the supervisor" in body


def test_supervisor_page_is_forbidden_to_practitioners(login, setup, trainee, coordinator):
    for who in (trainee, coordinator):
        assert login(who).get(reverse("cycles:supervision")).status_code == 403


def test_record_supervision_page_signs_off_and_shows_progress(login, setup, supervisor):
    membership, _, cycle = setup
    client = login(supervisor)
    url = reverse("cycles:record_supervision", args=[membership.pk])
    assert client.get(f"{url}?cycle={cycle.pk}").status_code == 200
    data = {
        "held_on": days_ago(1).isoformat(),
        "duration_minutes": "90",
        "cycles": [cycle.pk],
        "signed_off": [cycle.pk],
        "feedback": "Lovely attuned moment.",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).signed_off_by == supervisor
    progress = client.get(reverse("cycles:trainee_progress", args=[membership.pk])).content.decode()
    assert "1.5" in progress and "Lovely attuned moment." in progress


def test_record_supervision_page_says_why_without_supervisor_viewing_consent(
    login, service, coordinator, trainee, supervisor
):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee, items=[ConsentItem.FILMING])
    cycle = make_cycle(family, trainee, 1, reviewed_on=days_ago(3))
    response = login(supervisor).post(
        reverse("cycles:record_supervision", args=[membership.pk]),
        {"held_on": days_ago(1).isoformat(), "duration_minutes": "60", "cycles": [cycle.pk]},
    )
    assert response.status_code == 409
    assert "No current consent to viewing by the vig supervisor" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_record_supervision_page_refuses_another_supervisor_and_another_service(
    login, setup, service, other_supervisor
):
    membership, _, cycle = setup
    url = reverse("cycles:record_supervision", args=[membership.pk])
    data = {"held_on": days_ago(1).isoformat(), "duration_minutes": "60", "cycles": [cycle.pk]}
    another = staff("another_supervisor", service, Role.SUPERVISOR)
    assert login(another).post(url, data).status_code == 403
    assert login(other_supervisor).post(url, data).status_code == 404
    assert not SupervisionSession.objects.exists()


def test_record_supervision_form_offers_only_the_trainees_cycles(
    login, setup, service, coordinator, supervisor, practitioner
):
    from tests.referrals.allocation_helpers import allocated_referral, set_details

    membership, _, _ = setup
    second = staff("trainee2", service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
    trainee_with_supervisor(service, coordinator, second, supervisor)
    theirs = trainee_family(service, coordinator, second)
    other_cycle = make_cycle(theirs, second, 1, reviewed_on=days_ago(2))
    set_details(practitioner, service, coordinator)
    stranger = make_cycle(allocated_referral(service, coordinator, practitioner), practitioner, 1)
    client = login(supervisor)
    url = reverse("cycles:record_supervision", args=[membership.pk])
    body = client.get(url).content.decode()
    assert theirs.reference not in body and stranger.referral.reference not in body
    response = client.post(
        url, {"held_on": days_ago(1).isoformat(), "duration_minutes": "60", "cycles": [other_cycle.pk]}
    )
    assert response.status_code == 400 and not SupervisionSession.objects.exists()


def test_trainee_sees_own_progress_page_and_home_section(login, setup, trainee, supervisor):
    membership, _, cycle = setup
    actions.record_supervision(
        trainee=membership,
        held_on=days_ago(2),
        duration_minutes=60,
        cycles=[cycle],
        signed_off_cycle_ids=[],
        feedback="",
        by=supervisor,
    )
    client = login(trainee)
    body = client.get(reverse("cycles:my_training")).content.decode()
    assert "Your training progress" in body and "1 of 6" in body and "1.0 of 7" in body
    home = client.get(reverse("home")).content.decode()
    assert "Your training progress" in home and reverse("cycles:my_training") in home
    assert client.get(reverse("cycles:trainee_progress", args=[membership.pk])).status_code == 200


def test_trainee_progress_page_for_coordinator_manager_not_other_practitioners(
    login, setup, coordinator, manager, other_practitioner, other_coordinator, practitioner
):
    membership, _, _ = setup
    url = reverse("cycles:trainee_progress", args=[membership.pk])
    assert login(coordinator).get(url).status_code == 200
    assert login(manager).get(url).status_code == 200
    assert login(other_practitioner).get(url).status_code == 403
    assert login(other_coordinator).get(url).status_code == 404
    body = login(coordinator).get(url).content.decode()
    assert "Record supervision" not in body  # only the supervisor gets the link


def test_record_stage_page(login, setup, supervisor, trainee, service):
    membership, _, _ = setup
    url = reverse("cycles:record_stage", args=[membership.pk])
    data = {"stage": "2", "reached_on": days_ago(1).isoformat()}
    assert login(trainee).post(url, data).status_code == 404  # no supervision rights anywhere
    assert login(staff("another_supervisor", service, Role.SUPERVISOR)).post(url, data).status_code == 403
    response = login(supervisor).post(url, data)
    assert response.status_code == 302
    assert StageReached.objects.get().stage == 2


def test_accredited_practitioner_has_no_training_progress(login, practitioner, service, coordinator):
    from tests.referrals.allocation_helpers import set_details

    set_details(practitioner, service, coordinator)
    body = login(practitioner).get(reverse("cycles:my_training")).content.decode()
    assert "not a trainee" in body
    url = reverse("cycles:trainee_progress", args=[membership_of(practitioner).pk])
    assert login(practitioner).get(url).status_code == 404


def _supervisor_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cycles:supervision")).status_code == 200
    return len(queries)


def _add_trainees(service, coordinator, supervisor, start, count):
    for n in range(start, start + count):
        user = staff(f"t{n}", service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
        trainee_with_supervisor(service, coordinator, user, supervisor)
        family = trainee_family(service, coordinator, user)
        make_cycle(family, user, 1, reviewed_on=days_ago(3))


def test_supervisor_page_queries_do_not_grow_with_rows(login, service, coordinator, supervisor):
    client = login(supervisor)
    _add_trainees(service, coordinator, supervisor, 0, 5)
    few = _supervisor_page_queries(client)
    _add_trainees(service, coordinator, supervisor, 5, 45)
    many = _supervisor_page_queries(client)
    assert Cycle.objects.count() == 50
    assert many == few, (few, many)
