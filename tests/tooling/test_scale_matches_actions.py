"""`seed_scale` held to the actions: one family built through the actions and a small seed_scale run, compared row
shape by row shape, so the bulk writers (`tooling.scale`, `tooling.scale_work`) cannot drift from what the actions
leave.

The bulk writers copy each action's output by hand (they must: the actions write one row at a time). For every model
they write, each column of the rows is reduced to a token that does not depend on ids, times or free text: "null",
"empty" ("" / [] / {}), "set", the value itself for a choice or a flag, and the keys of a few JSON columns whose shape
matters. What the actions leave in a column (its tokens over the family's rows) must be among what the bulk writer
leaves in it over its many families: a column an action fills that the bulk writer leaves empty, a null where the
action writes "", a status the bulk writer never gives, or a history kind the actions write and the bulk writer
does not, fails the comparison. The history (`ReferralEvent`) is compared per kind: the kinds, and the keys of
`changes` each kind carries.
"""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from cycles import actions as cycles_actions
from cycles.models import (
    Clip,
    Consent,
    ConsentDecision,
    ConsentGiver,
    Cycle,
    FamilyCopy,
    Filming,
    Footage,
    HelpingQuestion,
    HelpingQuestionRating,
    Liaison,
    SharedReview,
    SupervisedCycle,
    SupervisionSession,
    Visit,
    VisitActivity,
)
from discharge import actions as discharge_actions
from discharge.models import Discharge
from letters import actions as letters_actions
from letters.models import Letter
from notices import actions as notices_actions
from notices.models import Notice
from outcomes import actions as outcomes_actions
from outcomes.models import Measure
from referrals.models import Allocation, Parent, Referral, ReferralEvent, TriageDecision
from tests.cycles.helpers_cycles import consent, helping_question
from tests.cycles.helpers_supervision import membership_of
from tests.discharge.helpers_discharge import require_only_epds_at_end
from tests.outcomes.helpers_outcomes import EPDS_RISK, answers
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS

# Each model the bulk writers write.
MODELS = [
    Referral,
    Parent,
    TriageDecision,
    Allocation,
    Liaison,
    Consent,
    ConsentGiver,
    ConsentDecision,
    HelpingQuestion,
    HelpingQuestionRating,
    Visit,
    VisitActivity,
    Cycle,
    Filming,
    Clip,
    SharedReview,
    Footage,
    SupervisionSession,
    SupervisedCycle,
    Measure,
    Notice,
    Discharge,
    Letter,
]
# JSON columns whose keys are their shape (a letter's content sections, a measure's result).
KEYED = {(Letter, "content"), (Measure, "result")}
# Columns whose value is the row's data rather than its shape: which questionnaire (and version) a family answered
# depends on the service's choice of measures, not on how the row is written.
UNCOMPARED = {
    (Measure, "instrument"),
    (Measure, "instrument_version"),
}


def token(model, field, value):
    """What a column's value says about the row's shape, without ids, times or free text."""
    if value is None:
        return "null"
    if value in ("", [], {}):
        return "empty"
    if (model, field.name) in KEYED and isinstance(value, dict):
        return ("keys", tuple(sorted(value)))
    if field.choices or isinstance(field, models.BooleanField):
        return value
    return "set"


def compared_fields(model):
    """Every column but the primary key (and those left uncompared)."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and (model, f.name) not in UNCOMPARED and not isinstance(f, models.AutoField)
    ]


def last_ids() -> dict:
    """Each model's largest id now: the rows the actions wrote end here, the bulk writers' begin after."""
    return {model: model.objects.aggregate(top=models.Max("pk"))["top"] or 0 for model in [*MODELS, ReferralEvent]}


def shapes(ids: dict, *, after: bool) -> dict:
    """For each model: column → the set of tokens its rows hold (up to `ids`, or after them); and the history by
    kind."""
    found: dict = {}
    for model in MODELS:
        fields = compared_fields(model)
        rows = model.objects.filter(**{"pk__gt" if after else "pk__lte": ids[model]})
        columns = defaultdict(set)
        for row in rows.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                columns[field.name].add(token(model, field, value))
        found[model.__name__] = columns
    people = set(Parent.objects.values_list("name", flat=True))
    history = defaultdict(set)
    events = ReferralEvent.objects.filter(**{"pk__gt" if after else "pk__lte": ids[ReferralEvent]})
    for kind, changes in events.values_list("kind", "changes"):
        history[kind].add("(no changes)" if not changes else "(changes)")
        history[kind].update("<a parent>" if key in people else key for key in changes)
    found["history"] = history
    return found


def drifts(by_actions: dict, by_bulk: dict) -> list[str]:
    """What the actions leave that the bulk writers never do: one line per model column (or history kind)."""
    lines = []
    for model, columns in by_actions.items():
        if model == "history":
            continue
        if columns and not by_bulk[model]:
            lines.append(f"{model}: the bulk writers write no rows")
            continue
        for column, tokens in sorted(columns.items()):
            missing = tokens - by_bulk[model].get(column, set())
            if missing:
                lines.append(f"{model}.{column}: actions leave {sorted(map(str, missing))}, bulk writers never do")
    for kind, keys in sorted(by_actions["history"].items()):
        if kind not in by_bulk["history"]:
            lines.append(f"history {kind!r}: actions write it, bulk writers never do")
        elif missing := keys - by_bulk["history"][kind]:
            lines.append(f"history {kind!r}: actions write changes {sorted(missing)}, bulk writers never do")
    return lines


def family_through_the_actions(service, coordinator, trainee, supervisor, capture):
    """One family through every action seed_scale copies: referred, triaged, allocated to a trainee, consent,
    helping questions and ratings, liaison, visits (attended and missed), a cycle with filming, clips, review and
    footage, supervision, measures with a risk answer (acknowledged), discharge and its letters approved, made and
    sent."""
    today = timezone.localdate()
    set_details(trainee, service, coordinator, capacity=60, supervisor=supervisor, training_stage=1)
    require_only_epds_at_end(service)
    referral = allocated_referral(
        service,
        coordinator,
        trainee,
        date_received=today - timedelta(days=120),
        child_nhs_number=TEST_NHS_NUMBERS[1],
        child_date_of_birth=today - timedelta(days=150),
    )
    day = today - timedelta(days=100)
    cycles_actions.record_liaison(
        referral=referral, contacted_on=day, method="phone", summary="Told the referrer.", by=trainee
    )
    intro = cycles_actions.book_visit(
        referral=referral, planned_at=at(day), place="home", activities=["introduction"], by=trainee
    )
    cycles_actions.record_visit(visit=intro, outcome="attended", duration_minutes=60, present="Mum", by=trainee)
    consent(referral, trainee, given_on=day)
    question = helping_question(referral, trainee)
    cycles_actions.rate_helping_question(question=question, point="start", rated_on=day, score=3, by=trainee)
    missed = cycles_actions.book_visit(
        referral=referral, planned_at=at(day + timedelta(days=7)), place="home", activities=["filming"], by=trainee
    )
    cycles_actions.record_visit(visit=missed, outcome="did_not_attend", outcome_reason="Nobody in", by=trainee)
    filmed_on = day + timedelta(days=14)
    film_visit = cycles_actions.book_visit(
        referral=referral, planned_at=at(filmed_on), place="home", activities=["filming"], by=trainee
    )
    cycles_actions.record_visit(visit=film_visit, outcome="attended", duration_minutes=60, present="Mum", by=trainee)
    cycle = cycles_actions.start_cycle(referral=referral, by=trainee)
    filming = cycles_actions.record_filming(
        cycle=cycle,
        filmed_on=filmed_on,
        activity="play",
        filmed_parents=list(referral.parents.all()),
        length_seconds=400,
        visit=film_visit,
        by=trainee,
    )
    for n in range(2):
        cycles_actions.add_clip(
            filming=filming,
            start_seconds=10 * n,
            end_seconds=10 * n + 8,
            principles=[1, 3],
            helping_question=question,
            description="Mum waits; baby smiles.",
            by=trainee,
        )
    reviewed_on = filmed_on + timedelta(days=7)
    review_visit = cycles_actions.book_visit(
        referral=referral, planned_at=at(reviewed_on), place="home", activities=["shared_review"], by=trainee
    )
    cycles_actions.record_visit(visit=review_visit, outcome="attended", duration_minutes=60, present="Mum", by=trainee)
    cycles_actions.record_shared_review(
        cycle=cycle,
        reviewed_on=reviewed_on,
        clips_watched=list(filming.clips.all()),
        parent_reflections="She waits for me.",
        parent_learning="Waiting helps.",
        next_focus="Bath time.",
        visit=review_visit,
        by=trainee,
    )
    cycles_actions.record_footage(
        filming=filming,
        location="The service's encrypted share",
        reference=f"{referral.reference}-C1",
        family_copy=FamilyCopy.GIVEN,
        family_copy_how="Encrypted USB stick",
        family_copy_on=reviewed_on,
        by=trainee,
    )
    cycles_actions.record_supervision(
        trainee=membership_of(trainee, service),
        held_on=reviewed_on + timedelta(days=3),
        duration_minutes=60,
        cycles=[cycle],
        signed_off_cycle_ids=[cycle.pk],
        feedback="Well attuned.",
        by=supervisor,
    )
    measure(referral, trainee, "baseline", day, EPDS_RISK)
    notice = Notice.objects.filter(referral=referral).first()  # one acknowledgement closes it for everyone
    notices_actions.acknowledge_notice(notice=notice, action_taken="Called the parent.", by=notice.recipient)
    closing = reviewed_on + timedelta(days=14)
    measure(referral, trainee, "end", closing, [0, 0, 1, 1, 1, 0, 1, 0, 1, 3])  # item 10 at 0: no risk
    cycles_actions.rate_helping_question(question=question, point="end", rated_on=closing, score=8, by=trainee)
    discharge = discharge_family(referral, trainee, closing)
    for letter in Letter.objects.filter(referral=referral):
        with capture(execute=True):
            letters_actions.approve_letter(letter=letter, by=supervisor)
        letter.refresh_from_db()
        letters_actions.mark_letter_sent(letter=letter, sent_on=today, how="Post", by=trainee)
    return discharge


def at(day):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=10)


def measure(referral, by, time_point, day, values):
    return outcomes_actions.record_measure(
        referral=referral, instrument="epds", time_point=time_point, completed_on=day, answers=answers(values), by=by
    )


def discharge_family(referral, by, day):
    return discharge_actions.discharge_family(
        referral=referral,
        discharged_on=day,
        reason="completed",
        summary="One cycle completed.",
        did_well="You waited for her.",
        ideas="Keep sharing books.",
        plan="Universal health visiting.",
        health_visitor="Hana Visitor",
        letter_to_referrer_agreed=True,
        letter_to_health_visitor_agreed=True,
        family_copy_given=True,
        by=by,
    )


@pytest.mark.slow
def test_seed_scale_leaves_the_rows_the_actions_leave(
    db, settings, tmp_path, service, coordinator, trainee, supervisor, django_capture_on_commit_callbacks
):
    """The comparison passes; then, with bulk-written rows perturbed (a column an action fills left empty, a history
    kind dropped), it fails and names them."""
    storages = {**settings.STORAGES}
    storages["letters"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
    }
    settings.STORAGES = storages
    family_through_the_actions(service, coordinator, trainee, supervisor, django_capture_on_commit_callbacks)
    settings.DEMO_MODE = True
    ids = last_ids()
    call_command("seed_scale", "--referrals", "300", "--practitioners", "20", "--i-know-this-is-throwaway")
    by_actions = shapes(ids, after=False)
    found = drifts(by_actions, shapes(ids, after=True))
    assert not found, "\n".join(found)
    # Eligibility as the create action computes it, for families the seed means to be eligible.
    bulk_referrals = Referral.objects.filter(pk__gt=ids[Referral])
    assert set(bulk_referrals.values_list("eligible", flat=True)) == {True}

    Visit.objects.filter(pk__gt=ids[Visit]).update(present="")
    ReferralEvent.objects.filter(pk__gt=ids[ReferralEvent], kind="visit_booked").delete()
    found = drifts(by_actions, shapes(ids, after=True))
    assert "Visit.present: actions leave ['set'], bulk writers never do" in found
    assert "history 'visit_booked': actions write it, bulk writers never do" in found


def test_drifts_names_what_an_action_fills_and_the_bulk_writer_leaves_empty():
    by_actions = {"Visit": {"present": {"set"}, "outcome": {"attended"}}, "history": {"visit_booked": {"place"}}}
    by_bulk = {"Visit": {"present": {"set", "empty"}, "outcome": {"attended"}}, "history": {"visit_booked": {"place"}}}
    assert drifts(by_actions, by_bulk) == []
    by_actions["Visit"]["notes"] = {"set"}  # an action starts filling a column the bulk writer leaves empty
    by_actions["Visit"]["outcome"].add("did_not_attend")  # or gives a value the bulk writer never does
    by_actions["history"]["visit_booked"].add("place details")  # or records a change the bulk writer leaves out
    assert drifts(by_actions, by_bulk) == [
        "Visit.notes: actions leave ['set'], bulk writers never do",
        "Visit.outcome: actions leave ['did_not_attend'], bulk writers never do",
        "history 'visit_booked': actions write changes ['place details'], bulk writers never do",
    ]
