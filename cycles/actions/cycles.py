"""VIG cycles: start a cycle, record its filming, add the clips chosen in micro-analysis, record its shared review.

A cycle is a filming and then a shared review of its clips. The order is enforced here, not just shown: a new cycle
starts only after the previous one's shared review; a review needs its cycle's filming (on the same or an earlier
day) and clips, and the previous cycle's review. Consent is enforced too: nobody is recorded as filmed without
their current filming consent (each adult, and each child aged 12 or over on the day), and no clip is marked for
training without everyone filmed having agreed to training use. Refusals say why, in words the practitioner can act
on (`cycles.reads.consents`).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text, check_text_fields
from cycles.dates import BACKDATED_HISTORY_LABEL, attended_visit_on, not_before_allocation, only_the_born_filmed
from cycles.reads.consents import needs_own_consent, refusal_for_filming, refusal_for_item
from cycles.reads.timeline import MAX_FILM_SECONDS, filming_of, in_force_work, review_of, start_refusal
from referrals.actions import lock_referral
from referrals.history import added, record_change
from referrals.models import Referral
from referrals.states import ReferralStatus

from ..models import (
    ActivityKind,
    Clip,
    ConsentItem,
    Cycle,
    FilmedActivity,
    Filming,
    Principle,
    SharedReview,
    Visit,
    VisitActivity,
)


def _locked_referral(referral: Referral) -> Referral:
    """The family under a row lock, still allocated (who records its casework is declared with `@requires`)."""
    referral = lock_referral(referral)
    if referral.status != ReferralStatus.ALLOCATED:
        raise ActionRefused(
            f"This family's referral is {referral.get_status_display().lower()}: cycles are recorded only while "
            "it is allocated."
        )
    return referral


def _locked_cycle(cycle: Cycle) -> tuple[Referral, Cycle]:
    referral = _locked_referral(cycle.referral)
    return referral, Cycle.objects.prefetch_related(*in_force_work()).get(pk=cycle.pk)


def _check_past(day: date, field: str, label: str, referral: Referral) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{label} cannot be in the future"})
    if day < referral.date_received:
        raise ValidationError(
            {field: f"{label} cannot be before the referral was received ({referral.date_received:%-d %B %Y})"}
        )


def _check_visit(visit: Visit | None, referral: Referral) -> None:
    if visit is not None and visit.referral_id != referral.pk:
        raise ValidationError({"visit": "Choose a visit to this family"})


def _add_activity(visit: Visit | None, kind: str, cycle: Cycle) -> None:
    if visit is not None:
        VisitActivity.objects.get_or_create(visit=visit, kind=kind, cycle=cycle)


# ---------------------------------------------------------------------------------------------------------------
# Start a cycle
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="referral")
def start_cycle(*, referral: Referral, beyond_maximum_reason: str = "", by: User, request=None) -> Cycle:
    """Start the family's next cycle, numbered after the last.

    Only once the previous cycle has its shared review; past the service's maximum only with a written reason
    (services offer a planned number, usually 3, within a range such as 2–4).
    """
    referral = _locked_referral(referral)
    cycles = list(Cycle.objects.filter(referral=referral).prefetch_related(*in_force_work()).order_by("number"))
    refusal = start_refusal(cycles)
    if refusal:
        raise ActionRefused(refusal)
    number = cycles[-1].number + 1 if cycles else 1
    reason = beyond_maximum_reason.strip()
    check_text(reason, field="beyond_maximum_reason", label="Reason for a cycle beyond the service's maximum")
    maximum = referral.service.max_cycles
    if number > maximum and not reason:
        raise ValidationError(
            {
                "beyond_maximum_reason": f"The service offers at most {maximum} cycles: enter why this family "
                f"needs cycle {number}"
            }
        )
    cycle = Cycle.objects.create(
        referral=referral, number=number, beyond_maximum_reason=reason if number > maximum else "", created_by=by
    )
    record_change(
        referral=referral,
        by=by,
        kind="cycle_started",
        summary=f"Cycle {number} started",
        changes=added({"cycle": number, "reason beyond the maximum": cycle.beyond_maximum_reason}),
        request=request,
        obj=cycle,
    )
    return cycle


# ---------------------------------------------------------------------------------------------------------------
# Filming
# ---------------------------------------------------------------------------------------------------------------


def _check_filming_consent(referral: Referral, parents: list, children: list, filmed_on: date) -> None:
    """Everyone filmed who must consent (adults, children of 12 or over on the day) had current consent to filming."""
    refusal = refusal_for_filming(referral, parents=parents, children=children, day=filmed_on)
    if refusal:
        raise ActionRefused(refusal)


def _check_filmed_people(referral: Referral, parents: list, children: list) -> None:
    if not parents:
        raise ValidationError({"filmed_parents": "Choose the parents or carers who were filmed"})
    if any(p.referral_id != referral.pk for p in parents):
        raise ValidationError({"filmed_parents": "Choose parents or carers of this family"})
    if any(c.referral_id != referral.pk for c in children):
        raise ValidationError({"filmed_children": "Choose older children of this family"})


def _check_filming_values(activity: str, details: str, length_seconds: int) -> None:
    if activity not in FilmedActivity.values:
        raise ValidationError({"activity": "Choose the activity filmed"})
    if activity == FilmedActivity.OTHER and not details.strip():
        raise ValidationError({"activity_details": "Enter what was filmed"})
    if not 1 <= length_seconds <= MAX_FILM_SECONDS:
        raise ValidationError({"length_seconds": "Enter the length of the film: between 1 second and 1 hour"})


def _check_after_previous_review(referral: Referral, cycle: Cycle, filmed_on: date) -> None:
    previous = (
        Cycle.objects.filter(referral=referral, number__lt=cycle.number).prefetch_related(*in_force_work()).last()
    )
    review = review_of(previous) if previous else None
    if previous is not None and review is None:
        raise ActionRefused(f"Cycle {previous.number} has no shared review yet: record it first.")
    if review is not None and filmed_on < review.reviewed_on:
        raise ValidationError(
            {
                "filmed_on": f"Cycle {cycle.number} cannot be filmed before cycle {previous.number}'s shared review "
                f"({review.reviewed_on:%-d %B %Y})"
            }
        )


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="cycle.referral")
def record_filming(
    *,
    cycle: Cycle,
    filmed_on: date,
    activity: str,
    activity_details: str = "",
    filmed_parents,
    filmed_children=(),
    length_seconds: int,
    visit: Visit | None = None,
    backdated_reason: str = "",
    by: User,
    request=None,
) -> Filming:
    """Record the cycle's filming: when, what, who was filmed and how long the film is.

    Refused unless every filmed adult, and every filmed child aged 12 or over on the day, has current consent to
    filming: the app must never hold a record of footage the family did not agree to. Dates that cannot be true are
    refused (`cycles.dates`): the baby or anyone filmed not yet born that day, a visit not attended that day, a date
    before the family's allocation without `backdated_reason`.
    """
    referral, cycle = _locked_cycle(cycle)
    if filming_of(cycle) is not None:
        raise ActionRefused(f"Cycle {cycle.number}'s filming is already recorded.")
    parents, children = list(filmed_parents), list(filmed_children)
    _check_past(filmed_on, "filmed_on", "The filming date", referral)
    backdated_reason = not_before_allocation(
        referral, filmed_on, field="filmed_on", label="The date filmed", backdated_reason=backdated_reason
    )
    _check_filming_values(activity, activity_details, length_seconds)
    _check_filmed_people(referral, parents, children)
    only_the_born_filmed(referral, parents, children, filmed_on)
    _check_visit(visit, referral)
    attended_visit_on(visit, filmed_on, doing="filming")
    _check_after_previous_review(referral, cycle, filmed_on)
    _check_filming_consent(referral, parents, children, filmed_on)
    filming = Filming(
        cycle=cycle,
        visit=visit,
        filmed_on=filmed_on,
        activity=activity,
        activity_details=activity_details.strip(),
        length_seconds=length_seconds,
        backdated_reason=backdated_reason,
        recorded_by=by,
    )
    check_text_fields(filming)
    filming.save()
    filming.filmed_parents.set(parents)
    filming.filmed_children.set(children)
    _add_activity(visit, ActivityKind.FILMING, cycle)
    record_change(
        referral=referral,
        by=by,
        kind="filming_recorded",
        summary=f"Cycle {cycle.number} filming recorded",
        changes=added(
            {
                "filmed on": filmed_on,
                "activity": filming.get_activity_display(),
                "activity details": filming.activity_details,
                "filmed": ", ".join(str(p) for p in [*parents, *children]),
                "length (seconds)": length_seconds,
                BACKDATED_HISTORY_LABEL: backdated_reason,
            }
        ),
        request=request,
        obj=filming,
    )
    return filming


# ---------------------------------------------------------------------------------------------------------------
# Micro-analysis clips
# ---------------------------------------------------------------------------------------------------------------


def filmed_people_needing_consent(filming: Filming, day: date) -> list:
    """Everyone filmed whose own consent counts: the adults, and the older children aged 12 or over on `day`."""
    children = [c for c in filming.filmed_children.all() if needs_own_consent(c, day)]
    return [*filming.filmed_parents.all(), *children]


def _clean_principles(principles) -> list[int]:
    try:
        values = sorted({int(p) for p in principles})
    except (TypeError, ValueError):
        values = []
    if not values or any(p not in Principle.values for p in values):
        raise ValidationError({"principles": "Choose one or more of the six principles (1 to 6) this clip shows"})
    return values


def _check_training_consent(referral: Referral, filming: Filming) -> None:
    """A clip marked for training needs today's training consent of everyone filmed who must consent."""
    today = timezone.localdate()
    refusal = refusal_for_item(
        referral,
        people=filmed_people_needing_consent(filming, today),
        item=ConsentItem.TRAINING,
        day=today,
        doing="mark this clip for training",
    )
    if refusal:
        raise ActionRefused(refusal)


def _check_clip_times(filming: Filming, start_seconds: int, end_seconds: int) -> None:
    if start_seconds < 0:
        raise ValidationError({"start_seconds": "The clip cannot start before the film does"})
    if end_seconds > filming.length_seconds:
        raise ValidationError(
            {"end_seconds": f"The clip must end within the film, which is {filming.length_seconds} seconds long"}
        )
    if start_seconds >= end_seconds:
        raise ValidationError({"end_seconds": "The clip must end after it starts"})


def _check_helping_question(referral: Referral, helping_question) -> None:
    if helping_question is None:
        raise ValidationError({"helping_question": "Choose the helping question this clip speaks to"})
    if helping_question.referral_id != referral.pk:
        raise ValidationError({"helping_question": "Choose one of this family's helping questions"})


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="filming.cycle.referral")
def add_clip(
    *,
    filming: Filming,
    start_seconds: int,
    end_seconds: int,
    principles,
    helping_question,
    description: str,
    marked_for_training: bool = False,
    by: User,
    request=None,
) -> Clip:
    """Add a clip chosen in micro-analysis: a "better than usual" moment, the principles it shows, and the helping
    question it speaks to. Marking it for training needs the training consent of everyone filmed."""
    referral, cycle = _locked_cycle(filming.cycle)
    filming = Filming.objects.prefetch_related("filmed_parents", "filmed_children").get(pk=filming.pk)
    if filming.entered_in_error:
        raise ActionRefused("This filming was entered in error: add clips to the cycle's filming in force.")
    _check_clip_times(filming, start_seconds, end_seconds)
    values = _clean_principles(principles)
    _check_helping_question(referral, helping_question)
    if not description.strip():
        raise ValidationError({"description": "Describe the moment the clip shows"})
    if marked_for_training:
        _check_training_consent(referral, filming)
    clip = Clip(
        filming=filming,
        start_seconds=start_seconds,
        end_seconds=end_seconds,
        principles=values,
        helping_question=helping_question,
        description=description.strip(),
        marked_for_training=bool(marked_for_training),
        recorded_by=by,
    )
    check_text_fields(clip)
    clip.save()
    record_change(
        referral=referral,
        by=by,
        kind="clip_added",
        summary=f"Cycle {cycle.number} clip added",
        changes=added(
            {
                "from (seconds)": start_seconds,
                "to (seconds)": end_seconds,
                "principles": ", ".join(clip.principle_labels()),
                "helping question": helping_question.number,
                "marked for training": "Yes" if clip.marked_for_training else "",
            }
        ),
        request=request,
        obj=clip,
    )
    return clip


# ---------------------------------------------------------------------------------------------------------------
# Shared review
# ---------------------------------------------------------------------------------------------------------------


def _check_review_order(referral: Referral, cycle: Cycle, reviewed_on: date) -> Filming:
    if review_of(cycle) is not None:
        raise ActionRefused(f"Cycle {cycle.number}'s shared review is already recorded.")
    filming = filming_of(cycle)
    if filming is None:
        raise ActionRefused(
            f"Cycle {cycle.number} has no filming recorded: record the filming before its shared review."
        )
    previous = (
        Cycle.objects.filter(referral=referral, number=cycle.number - 1).prefetch_related(*in_force_work()).first()
    )
    if previous is not None and review_of(previous) is None:
        raise ActionRefused(
            f"Cycle {previous.number}'s shared review is not recorded yet: record it before cycle {cycle.number}'s."
        )
    if reviewed_on < filming.filmed_on:
        raise ValidationError(
            {"reviewed_on": f"The shared review cannot be before the filming ({filming.filmed_on:%-d %B %Y})"}
        )
    return filming


def _check_clips_watched(filming: Filming, clips: list) -> None:
    in_force = set(filming.clips.in_force().values_list("pk", flat=True))
    if not in_force:
        raise ActionRefused("No clips are recorded for this filming: add the clips chosen in micro-analysis first.")
    if not clips:
        raise ValidationError({"clips_watched": "Choose the clips watched"})
    if any(clip.pk not in in_force for clip in clips):
        raise ValidationError({"clips_watched": "Choose clips of this cycle's filming"})


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="cycle.referral")
def record_shared_review(
    *,
    cycle: Cycle,
    reviewed_on: date,
    clips_watched,
    parent_reflections: str,
    parent_learning: str = "",
    next_focus: str = "",
    visit: Visit | None = None,
    backdated_reason: str = "",
    by: User,
    request=None,
) -> SharedReview:
    """Record the shared review of the cycle's clips: what the parent saw, what they learned, and the next focus.

    Its visit, if given, was attended that day; a date before the family's allocation needs `backdated_reason`."""
    referral, cycle = _locked_cycle(cycle)
    _check_past(reviewed_on, "reviewed_on", "The shared review date", referral)
    backdated_reason = not_before_allocation(
        referral, reviewed_on, field="reviewed_on", label="The shared review date", backdated_reason=backdated_reason
    )
    filming = _check_review_order(referral, cycle, reviewed_on)
    clips = list(clips_watched)
    _check_clips_watched(filming, clips)
    _check_visit(visit, referral)
    attended_visit_on(visit, reviewed_on, doing="shared review")
    if not parent_reflections.strip():
        raise ValidationError({"parent_reflections": "Enter what the parent saw in the clips"})
    review = SharedReview(
        cycle=cycle,
        visit=visit,
        reviewed_on=reviewed_on,
        parent_reflections=parent_reflections.strip(),
        parent_learning=parent_learning.strip(),
        next_focus=next_focus.strip(),
        backdated_reason=backdated_reason,
        recorded_by=by,
    )
    check_text_fields(review)
    review.save()
    review.clips_watched.set(clips)
    _add_activity(visit, ActivityKind.SHARED_REVIEW, cycle)
    record_change(
        referral=referral,
        by=by,
        kind="shared_review_recorded",
        summary=f"Cycle {cycle.number} shared review recorded",
        changes=added(
            {
                "reviewed on": reviewed_on,
                "clips watched": len(clips),
                "parent's reflections": review.parent_reflections,
                "what the parent learned": review.parent_learning,
                "next focus": review.next_focus,
                BACKDATED_HISTORY_LABEL: backdated_reason,
            }
        ),
        request=request,
        obj=review,
    )
    return review
