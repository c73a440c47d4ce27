"""The dashboard's trainees read their cycles from the families' review items (ADR 0022 item 9): always the same
cycles done and signed off as the trainee's own progress page counts from raw rows, through sign-offs, a review
entered in error, a session entered in error (its sign-offs undone) and a new stage."""

from accounts.models import Role, TrainingStatus
from cycles import actions
from cycles.models import SharedReview, SupervisionSession
from cycles.reads.progress import trainee_progress, trainees
from dashboards.reads import Scope, default_period, trainees_progress
from referrals.actions.entered_in_error import mark_entered_in_error
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    trainee_family,
    trainee_with_supervisor,
)
from tests.dashboards.helpers_dashboards import caught_up, summarised
from tests.factories import staff


def _both(manager, service):
    """(cycles done, signed off) per trainee membership: the dashboard's, and the progress page's from raw rows."""
    caught_up()
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    dashboard = {
        row["progress"].membership.pk: (row["progress"].cycles_done, row["progress"].cycles_signed_off)
        for row in trainees_progress(scope)["rows"]
    }
    raw = {
        p.membership.pk: (p.cycles_done, p.cycles_signed_off)
        for p in trainee_progress(trainees().filter(service_id=service.pk))
    }
    return dashboard, raw


def test_the_dashboards_trainee_cycles_agree_with_the_progress_page(service, coordinator, manager, trainee, supervisor):
    here = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    second = staff("second_trainee", service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
    trainee_with_supervisor(service, coordinator, second, supervisor)  # nothing reviewed: (0, 0) both ways
    families = [trainee_family(service, coordinator, trainee) for _ in range(2)]
    for family in families:
        give_consent(family, trainee)
    cycles = [
        make_cycle(families[0], trainee, 1, filmed_on=days_ago(50), reviewed_on=days_ago(45)),
        make_cycle(families[0], trainee, 2, filmed_on=days_ago(40), reviewed_on=days_ago(35)),
        make_cycle(families[1], trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(15)),
        make_cycle(families[1], trainee, 2, filmed_on=days_ago(6)),  # not reviewed: not completed
    ]
    summarised(service)  # the cycles above were written straight to the tables
    dashboard, raw = _both(manager, service)
    assert dashboard == raw and dashboard[here.pk] == (3, 0)

    session = actions.record_supervision(
        trainee=here,
        held_on=days_ago(10),
        duration_minutes=60,
        cycles=cycles[:2],
        signed_off_cycle_ids=[c.pk for c in cycles[:2]],
        feedback="",
        by=supervisor,
    )
    dashboard, raw = _both(manager, service)
    assert dashboard == raw and dashboard[here.pk] == (3, 2)

    review = SharedReview.objects.get(cycle=cycles[2])
    mark_entered_in_error(record=review, reason="Recorded for the wrong cycle", by=coordinator)
    dashboard, raw = _both(manager, service)
    assert dashboard == raw and dashboard[here.pk] == (2, 2)

    mark_entered_in_error(
        record=SupervisionSession.objects.get(pk=session.pk), reason="Recorded for the wrong trainee", by=supervisor
    )
    dashboard, raw = _both(manager, service)
    assert dashboard == raw and dashboard[here.pk] == (2, 0)

    actions.record_stage_reached(membership=here, stage=2, reached_on=days_ago(38), by=supervisor)
    dashboard, raw = _both(manager, service)
    assert dashboard == raw and dashboard[here.pk] == (1, 0)


def test_the_trainees_shown_follow_the_sites_asked_for_request_after_request(
    service, manager, trainee, peterborough, cambridgeshire
):
    """The trainees' rows are compiled once per service and sites: each scope in turn shows its own trainees (a
    trainee with no site limit at every site), and a trainee added later shows at once."""
    from accounts.models import Site

    everywhere = staff("everywhere_trainee", service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
    site_manager = staff("site_manager", service, Role.MANAGER, sites=[peterborough])
    start, end = default_period()

    def shown(user, site: Site | None = None) -> set[str]:
        scope = Scope(user=user, service=service, site=site, start=start, end=end)
        return {row["progress"].membership.user.username for row in trainees_progress(scope)["rows"]}

    for _ in range(2):
        assert shown(manager) == {trainee.username, everywhere.username}
        assert shown(manager, cambridgeshire) == {trainee.username, everywhere.username}
        assert shown(manager, peterborough) == {everywhere.username}
        assert shown(site_manager) == {everywhere.username}
    later = staff("later_trainee", service, Role.PRACTITIONER, sites=[peterborough], training_status="trainee")
    assert shown(site_manager) == {everywhere.username, later.username}
    assert shown(manager, peterborough) == {everywhere.username, later.username}
