"""Reading a family's cycles: where each stands (filmed → clips chosen → reviewed), what is next and what is overdue.

The family's record, the cycle page and the API all read cycles through `cycles_of` (two queries, whatever the
number of cycles or clips) and describe them with `step_of`, so they cannot disagree about what is due. The rule
for starting the next cycle (`start_refusal`) is here too, so the page shows "Start cycle N" only when the action
would allow it, and says why not otherwise.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch

from core.prepared import attach, prepared
from cycles.models import Clip, Cycle, Filming, SharedReview
from referrals.models import Referral

# A shared review is usually about a week after the filming: due from 7 days after it, overdue after 10.
REVIEW_DUE_FROM_DAYS = 7
REVIEW_DUE_BY_DAYS = 10

# Longest film we accept: VIG films are 5–10 minutes; an hour allows for a long recording trimmed later.
MAX_FILM_SECONDS = 60 * 60


def in_force_work(*, people: bool = False) -> list[Prefetch]:
    """The prefetches that give each cycle its filming, clips and shared review in force (`cycle.filming`,
    `cycle.shared_review`): what was entered in error is not the cycle's work. Four queries with `people`
    (who was filmed, which clips were watched) or three without, whatever the number of cycles or clips."""
    clips = Clip.objects.in_force().select_related("helping_question")
    filmings = Filming.objects.in_force().prefetch_related(Prefetch("clips", queryset=clips))
    reviews = SharedReview.objects.in_force()
    if people:
        filmings = filmings.prefetch_related("filmed_parents", "filmed_children")
        reviews = reviews.prefetch_related(Prefetch("clips_watched", queryset=Clip.objects.in_force()))
    return [Prefetch("filmings", queryset=filmings), Prefetch("shared_reviews", queryset=reviews)]


def with_work(cycles, *, people: bool = False):
    """Cycles with their filming, clips and shared review in force (`in_force_work`), in order."""
    return cycles.prefetch_related(*in_force_work(people=people)).order_by("referral_id", "number")


def cycles_of(referral: Referral | int, *, people: bool = False):
    """One family's cycles, in order, with their work (`with_work`)."""
    return with_work(Cycle.objects.filter(referral=referral), people=people)


def family_cycles(referral_id) -> list:
    """`cycles_of` as a list, for the record's section: the cycles and their work in force read by the family's id
    with SQL compiled once per process (`core.prepared`), the work attached as `cycles_of`'s prefetches would."""
    cycles = _family_cycles(referral_id)
    if cycles:
        filmings = _family_filmings(referral_id)
        attach(cycles, "filmings", filmings, Filming.objects.in_force)
        attach(
            filmings,
            "clips",
            _family_clips(referral_id),
            lambda: Clip.objects.in_force().select_related("helping_question"),
        )
        attach(cycles, "shared_reviews", _family_reviews(referral_id), SharedReview.objects.in_force)
    return cycles


@prepared()
def _family_cycles(referral_id):
    return Cycle.objects.filter(referral_id=referral_id).order_by("referral_id", "number")


@prepared()
def _family_filmings(referral_id):
    return Filming.objects.in_force().filter(cycle__referral_id=referral_id)


@prepared()
def _family_clips(referral_id):
    return Clip.objects.in_force().select_related("helping_question").filter(filming__cycle__referral_id=referral_id)


@prepared()
def _family_reviews(referral_id):
    return SharedReview.objects.in_force().filter(cycle__referral_id=referral_id)


def visible_cycles(user):
    """Cycles of the families `user` may see, with the family loaded for permission checks (its allocations)."""
    from referrals.models import Allocation

    return (
        Cycle.objects.filter(referral__in=Referral.objects.visible_to(user))
        .select_related("referral", "referral__service", "referral__site")
        .prefetch_related(
            Prefetch("referral__allocations", queryset=Allocation.objects.with_holding()),
            "referral__parents",
            "referral__other_children",
        )
    )


def entered_in_error_of_cycle(cycle: Cycle) -> list:
    """The cycle's filmings, clips and shared reviews entered in error, for the cycle page (three queries)."""
    records = [
        *Filming.objects.entered_in_error().filter(cycle=cycle).select_related("entered_in_error_by"),
        *Clip.objects.entered_in_error().filter(filming__cycle=cycle).select_related("entered_in_error_by"),
        *SharedReview.objects.entered_in_error().filter(cycle=cycle).select_related("entered_in_error_by"),
    ]
    return sorted(records, key=lambda r: r.entered_in_error_at)


def filming_of(cycle: Cycle):
    """The cycle's filming in force, or None."""
    return cycle.filming


def review_of(cycle: Cycle):
    """The cycle's shared review in force, or None."""
    return cycle.shared_review


@dataclass(frozen=True)
class CycleStep:
    """Where one cycle stands, in words the timeline shows."""

    cycle: Cycle
    filming: object
    clips: list
    review: object
    stage: str  # "to_film", "filmed", "clips_chosen" or "reviewed"
    next_step: str
    due_from: date | None = None
    due_by: date | None = None
    overdue: bool = False

    @property
    def label(self) -> str:
        return {
            "to_film": "Started: not yet filmed",
            "filmed": "Filmed: clips not yet chosen",
            "clips_chosen": "Clips chosen: shared review to do",
            "reviewed": "Reviewed",
        }[self.stage]


def step_of(cycle: Cycle, today: date) -> CycleStep:
    """Describe one cycle loaded by `cycles_of`: its stage, what is next, and whether the review is overdue."""
    filming, review = filming_of(cycle), review_of(cycle)
    clips = [c for c in filming.clips.all() if not c.entered_in_error] if filming else []
    if filming is None:
        return CycleStep(cycle, None, [], None, "to_film", "Record the filming")
    if review is not None:
        return CycleStep(cycle, filming, clips, review, "reviewed", "")
    due_from = filming.filmed_on + timedelta(days=REVIEW_DUE_FROM_DAYS)
    due_by = filming.filmed_on + timedelta(days=REVIEW_DUE_BY_DAYS)
    stage = "clips_chosen" if clips else "filmed"
    overdue = today > due_by
    if overdue:
        next_step = f"Shared review overdue: it was due by {due_by:%-d %B %Y}"
    else:
        next_step = f"Shared review due {due_from:%-d %B} to {due_by:%-d %B %Y}"
    if not clips:
        next_step = f"Choose the clips. {next_step}"
    return CycleStep(cycle, filming, clips, None, stage, next_step, due_from, due_by, overdue)


def start_refusal(cycles: list[Cycle]) -> str:
    """'' if a new cycle may start now; otherwise why not (the previous cycle has no shared review yet)."""
    if not cycles:
        return ""
    last = cycles[-1]
    if review_of(last) is None:
        return f"Cycle {last.number} has no shared review yet: record it before starting cycle {last.number + 1}."
    return ""


def summary(referral: Referral, cycles: list[Cycle], today: date) -> dict:
    """The family's cycles at a glance: each cycle's step, the service's planned number, and what comes next."""
    service = referral.service
    steps = [step_of(cycle, today) for cycle in cycles]
    next_number = len(cycles) + 1 if not cycles else cycles[-1].number + 1
    reviewed = sum(1 for step in steps if step.stage == "reviewed")
    return {
        "steps": steps,
        "planned": service.planned_cycles,
        "min": service.min_cycles,
        "max": service.max_cycles,
        "reviewed": reviewed,
        "next_number": next_number,
        "beyond_maximum": next_number > service.max_cycles,
        "start_refusal": start_refusal(cycles),
        "overdue": any(step.overdue for step in steps),
    }


def training_consent_lapsed(referral: Referral, filming, clips: list) -> str:
    """'' unless some clip is marked for training and someone filmed no longer consents to training use today.

    Marking is refused without consent, but consent can be withdrawn afterwards: the cycle page then warns that
    these clips must not be used in training (one query, only when a clip is marked).
    """
    from django.utils import timezone

    from cycles.models import ConsentItem
    from cycles.reads.consents import needs_own_consent, refusal_for_item

    if filming is None or not any(clip.marked_for_training for clip in clips):
        return ""
    today = timezone.localdate()
    children = [c for c in filming.filmed_children.all() if needs_own_consent(c, today)]
    return refusal_for_item(
        referral,
        people=[*filming.filmed_parents.all(), *children],
        item=ConsentItem.TRAINING,
        day=today,
        doing="use the clips marked for training",
    )
