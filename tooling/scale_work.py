"""Synthetic VIG casework for `seed_scale`: for every family the scale data allocated, the consent, helping
questions, visits, cycles (filming, clips, shared review), footage, trainees' supervision, outcome measures, risk
and footage notices, liaison, and for the families who finished, their discharge and letters (as metadata).

Like `tooling.scale`, it writes rows straight to the tables (by COPY on PostgreSQL, `tooling.copy_rows`) and
bypasses the actions on purpose: each action locks the
family, checks the order rules and the consent, and writes history and access-log rows one record at a time, which
would take hours for ten years of casework. Instead each family's work is first planned as dates (`plan_finished`,
`plan_open`) that keep the actions' rules: consent before any filming; a shared review about a week after its
filming and before the next cycle is filmed; ratings and measures only while the family is allocated; outcomes only
for visits in the past; footage destruction dates from the service's policy at discharge. `Casework` then turns
the plans into rows shaped as the actions leave them, with the history rows each action writes (so figures read
from the history, such as the families nothing has been recorded for, see what they would), and inserts them model
by model in dependency order. `tests/tooling/test_scale_matches_actions.py` builds a family through the actions and
compares its rows, column by column, with these: change an action's output and that test names what to copy here.
Letters are metadata only (status, content and hash, a file name but no file): `regenerate` makes the PDF on
demand, as it does for any letter whose file is missing.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone

from accounts.models import Membership, Role, Service
from core.languages import BY_CODE as LANGUAGES
from cycles.actions.footage import keep_months
from cycles.models import (
    ActivityKind,
    Clip,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentItem,
    Cycle,
    FamilyCopy,
    FilmedActivity,
    Filming,
    Footage,
    HelpingQuestion,
    HelpingQuestionRating,
    Liaison,
    LiaisonMethod,
    Principle,
    RatingPoint,
    SharedReview,
    SupervisedCycle,
    SupervisionSession,
    Visit,
    VisitActivity,
    VisitOutcome,
    VisitPlace,
)
from discharge.models import Discharge, DischargeReason
from letters import languages as letter_languages
from letters.actions.drafting import contact_of
from letters.models import Letter, LetterSettings
from letters.states import LetterKind, LetterStatus
from letters.storage import file_name
from letters.wording import DEFAULT_WORDING
from notices.models import Notice, NoticeKind
from outcomes.actions.alerts import summary_for
from outcomes.models import Measure, MeasureConfig, TimePoint
from outcomes.scoring import clean_answers, score
from referrals.history import added
from referrals.models import Allocation, Parent, Referral, ReferralEvent
from referrals.nhs_number import display as nhs_display
from tooling.copy_rows import copy_instances

# ---------------------------------------------------------------------------------------------------------------
# Planning: a family's work as dates
# ---------------------------------------------------------------------------------------------------------------

ATTENDED = VisitOutcome.ATTENDED
MISSED = (VisitOutcome.DID_NOT_ATTEND, VisitOutcome.CANCELLED_BY_FAMILY, VisitOutcome.CANCELLED_BY_SERVICE)
MISSED_WEIGHTS = (5, 3, 2)
MISSED_SHARE = 0.12  # of visits, the family missed or someone cancelled first
HOURS = (9, 10, 10, 11, 13, 14, 14, 15)

# Why finished families were discharged: most completed their planned cycles.
REASON_WEIGHTS = {
    DischargeReason.COMPLETED: 68,
    DischargeReason.ENDED_EARLY: 9,
    DischargeReason.DID_NOT_ENGAGE: 8,
    DischargeReason.MOVED_AWAY: 6,
    DischargeReason.TRANSFERRED: 4,
    DischargeReason.OTHER: 5,
}


@dataclass
class PlannedVisit:
    day: date
    hour: int
    activities: list  # (ActivityKind, cycle number or None): the number once the filming or review is recorded
    outcome: str  # a VisitOutcome, or "" while it is still planned


@dataclass
class PlannedCycle:
    number: int
    started_on: date
    film: PlannedVisit | None = None
    review: PlannedVisit | None = None

    @property
    def filmed_on(self) -> date | None:
        return self.film.day if self.film else None

    @property
    def reviewed_on(self) -> date | None:
        return self.review.day if self.review else None


@dataclass
class Work:
    """One family's VIG work as dates, decided before any row exists (so the referral's closing date can follow)."""

    visits: list[PlannedVisit] = field(default_factory=list)
    consent_on: date | None = None
    cycles: list[PlannedCycle] = field(default_factory=list)
    closing_on: date | None = None  # the closing talk happened: end ratings and end measures
    ends_on: date | None = None  # discharged on (finished families)
    reason: str = ""  # why they were discharged (finished families)


def weekday(day: date) -> date:
    """Visits are on weekdays: a Saturday or Sunday moves to the Monday."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


class Scheduler:
    """Books a family's visits one after another; before a visit is held the family may miss it or someone may
    cancel, and it is booked again a few days later."""

    def __init__(self, rng: random.Random, start: date):
        self.rng, self.day, self.visits = rng, start, []

    def missed(self, after: tuple[int, int], activities: list) -> PlannedVisit:
        rng = self.rng
        self.day = weekday(self.day + timedelta(days=rng.randint(*after)))
        outcome = rng.choices(MISSED, MISSED_WEIGHTS)[0]
        visit = PlannedVisit(self.day, rng.choice(HOURS), [(kind, None) for kind, _ in activities], outcome)
        self.visits.append(visit)
        return visit

    def held(self, after: tuple[int, int], activities: list) -> PlannedVisit:
        rng = self.rng
        while rng.random() < MISSED_SHARE:
            self.missed(after, activities)
            after = (3, 10)
        self.day = weekday(self.day + timedelta(days=rng.randint(*after)))
        visit = PlannedVisit(self.day, rng.choice(HOURS), list(activities), ATTENDED)
        self.visits.append(visit)
        return visit


def schedule(start: date, cycles: int, closing: bool, rng: random.Random) -> Work:
    """Introduction and consent, then each cycle's filming and its shared review about a week later (the next
    filming sometimes in the same visit as the review), then the closing talk."""
    s = Scheduler(rng, start)
    intro = s.held((4, 14), [(ActivityKind.INTRODUCTION, None)])
    work = Work(consent_on=intro.day)
    review = None
    for number in range(1, cycles + 1):
        started = review.day if review else intro.day
        if review is not None and rng.random() < 0.4:
            review.activities.append((ActivityKind.FILMING, number))
            film = review
        else:
            film = s.held((7, 21), [(ActivityKind.FILMING, number)])
        review = s.held((5, 10), [(ActivityKind.SHARED_REVIEW, number)])
        work.cycles.append(PlannedCycle(number, started, film, review))
    if closing:
        work.closing_on = s.held((7, 21), [(ActivityKind.CLOSING, None), (ActivityKind.EVALUATION, None)]).day
    work.visits = s.visits
    return work


def not_engaged(start: date, rng: random.Random) -> Work:
    """A family who did not engage: missed first visits, or consent and then missed filmings."""
    s = Scheduler(rng, start)
    work = Work()
    if rng.random() < 0.5:
        work.consent_on = s.held((4, 14), [(ActivityKind.INTRODUCTION, None)]).day
        for _ in range(rng.randint(1, 3)):
            s.missed((7, 21), [(ActivityKind.FILMING, None)])
    else:
        for _ in range(rng.randint(2, 3)):
            s.missed((4, 14), [(ActivityKind.INTRODUCTION, None)])
    work.visits = s.visits
    return work


def _cycles_for(reason: str, service: Service, rng: random.Random) -> int:
    planned = service.planned_cycles
    if reason == DischargeReason.COMPLETED:
        if rng.random() < 0.01:
            return service.max_cycles + 1  # one beyond the maximum, with a written reason
        wanted = planned + rng.choice((-1, 0, 0, 0, 0, 1))
        return min(max(wanted, service.min_cycles), service.max_cycles)
    if reason == DischargeReason.OTHER:
        return rng.randint(1, planned)
    if reason == DischargeReason.DID_NOT_ENGAGE:
        return 0
    return rng.randint(0 if rng.random() < 0.25 else 1, max(planned - 1, 1))  # ended early, moved, transferred


def plan_finished(service: Service, allocated: date, today: date, rng: random.Random) -> Work | None:
    """A discharged family's whole work, ending before today: fewer cycles if the time since allocation is short,
    None if not even the introduction fits (the caller makes the family one that withdrew before allocation)."""
    reasons, weights = zip(*REASON_WEIGHTS.items(), strict=True)
    reason = rng.choices(reasons, weights)[0]
    cycles = _cycles_for(reason, service, rng)
    closing = reason in (DischargeReason.COMPLETED, DischargeReason.OTHER) or rng.random() < 0.4
    while True:
        if reason == DischargeReason.DID_NOT_ENGAGE:
            work = not_engaged(allocated, rng)
        else:
            work = schedule(allocated, cycles, closing, rng)
        last = work.visits[-1].day
        ends = last + timedelta(days=rng.randint(0, 3) if work.closing_on else rng.randint(7, 28))
        if ends < today:
            break
        if cycles == 0:
            return None
        cycles -= 1
        if reason == DischargeReason.COMPLETED and cycles < service.min_cycles:
            reason = DischargeReason.ENDED_EARLY
    work.ends_on, work.reason = ends, reason
    return work


def plan_open(service: Service, allocated: date, today: date, rng: random.Random) -> Work:
    """An allocated family's work so far: what happened before today, and the next visit booked (now and then a
    visit in the last days whose outcome is not yet recorded)."""
    cycles = min(max(service.planned_cycles + rng.choice((-1, 0, 0, 1)), 1), service.max_cycles)
    work = schedule(allocated, cycles, True, rng)
    past = [v for v in work.visits if v.day < today]
    upcoming = next((v for v in work.visits if v.day >= today and v.outcome == ATTENDED), None)
    if upcoming is None:  # everything planned is done: the closing talk is still to come
        upcoming = past.pop() if past and past[-1].day >= (work.closing_on or today) else None
    booked = []
    if upcoming is not None:
        day = weekday(max(min(upcoming.day, today + timedelta(days=rng.randint(1, 21))), today + timedelta(days=1)))
        last = past[-1].day if past else allocated
        if rng.random() < 0.1 and (today - last).days > 1:  # held in the last days, its outcome not yet recorded
            day = today - timedelta(days=rng.randint(1, min(6, (today - last).days - 1)))
            while day.weekday() >= 5 and (day - last).days > 1:
                day -= timedelta(days=1)
        booked = [PlannedVisit(day, upcoming.hour, [(k, None) for k, _ in upcoming.activities], "")]
    held = {id(v) for v in past if v.outcome == ATTENDED}
    kept = []
    for cycle in work.cycles:
        if cycle.started_on >= today or (cycle.number > 1 and id(kept[-1].review if kept else None) not in held):
            break
        kept.append(
            PlannedCycle(
                cycle.number,
                cycle.started_on,
                cycle.film if id(cycle.film) in held else None,
                cycle.review if id(cycle.review) in held and id(cycle.film) in held else None,
            )
        )
    for visit in past:  # a held visit's activities name only the cycles kept
        numbers = {c.number for c in kept if c.film is visit or c.review is visit}
        visit.activities = [(k, n if n in numbers else None) for k, n in visit.activities]
    work.visits, work.cycles = past + booked, kept
    work.closing_on = None
    if work.consent_on and work.consent_on >= today:
        work.consent_on = None
    return work


# ---------------------------------------------------------------------------------------------------------------
# Outcome measures: pools of real scores
# ---------------------------------------------------------------------------------------------------------------

LEVELS = 20  # badness from 0 (best) to 1 (worst) in twentieths
SAMPLES = 6
FEEDBACK_TEXT = (
    "Seeing the video helped me notice the good moments.",
    "I liked that we went at my pace.",
    "More visits would have helped.",
)


@dataclass(frozen=True)
class Scored:
    answers: dict
    result: dict
    primary_value: Decimal | None


def _position(scores: tuple, want: float, above: int | None = None, risky: bool = False) -> int:
    """The answer whose score is nearest `want` (a share of the top score); for a risk item, one that raises its
    rule (a score above `above`) only if `risky`."""
    top = max(scores) or 1
    positions = [p for p in range(len(scores)) if above is None or (scores[p] > above) == risky]
    return min(positions, key=lambda p: abs(scores[p] / top - want))


def _answers(instrument, badness: float, risky: bool, rng: random.Random) -> dict:
    """Answers of one parent at about this badness; risk items answered above their rule only if `risky`."""
    worse_high = (instrument.primary.higher_is if instrument.primary else "better") != "better"
    risk = {r["item"]: r["score_above"] for r in instrument.risk_items}
    answers = {}
    for item in instrument.items:
        if item.kind == "text":
            answers[item.key] = rng.choice(FEEDBACK_TEXT) if rng.random() < 0.3 else ""
            continue
        level = min(max(badness + rng.gauss(0, 0.15), 0.0), 1.0)
        want = level if worse_high else 1 - level
        answers[item.key] = _position(item.scores, want, risk.get(item.number), risky)
    return answers


def scored_pool(config: MeasureConfig, rng: random.Random) -> dict[bool, list[list[Scored]]]:
    """For one service's instrument: SAMPLES answer sets at each level of badness, scored by the one scoring
    engine (so every stored result and primary value is one the engine gives), with and without a risk answer."""
    instrument = config.definition
    pool = {}
    for risky in (False, True) if instrument.risk_items else (False,):
        levels = []
        for level in range(LEVELS + 1):
            entries = []
            for _ in range(SAMPLES):
                cleaned = clean_answers(instrument, _answers(instrument, level / LEVELS, risky, rng))
                result = score(instrument, cleaned, threshold_set=config.threshold_set)
                code = result.get("primary")
                primary = next((s for s in result["scales"] if s["code"] == code and s["scorable"]), None)
                entries.append(Scored(cleaned, result, Decimal(primary["value"]) if primary else None))
            levels.append(entries)
        pool[risky] = levels
    return pool


# ---------------------------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------------------------

HELPING_QUESTIONS = (
    "How can I enjoy playtime with my baby more?",
    "How can I tell what my baby needs when she cries?",
    "How can I feel more confident as a parent?",
    "How can we have calmer bedtimes?",
    "How can I help him settle when he is upset?",
    "How can I notice when my baby wants to interact?",
    "How can I feel closer to my child?",
    "How can we share books together?",
)
CLIP_WORDS = (
    "Mum follows the baby's gaze and names what he sees.",
    "Dad waits for the baby's turn and smiles back.",
    "Baby reaches out and Mum receives the initiative with a warm voice.",
    "A shared laugh after the game of peekaboo.",
    "Mum pauses and the baby starts the next turn.",
)
REFLECTIONS = (
    "I didn't realise how much she watches me.",
    "He really does look at me when I talk to him.",
    "I can see I am a good mum in those moments.",
    "I liked seeing us laugh together.",
)
NEXT_FOCUS = ("Waiting for his turn", "Naming her feelings", "Following his lead in play", "Slowing down at bedtime")
MISSED_REASONS = {
    VisitOutcome.DID_NOT_ATTEND: "Nobody answered the door.",
    VisitOutcome.CANCELLED_BY_FAMILY: "Baby was unwell.",
    VisitOutcome.CANCELLED_BY_SERVICE: "Practitioner off sick.",
}
WITHDRAWAL_REASONS = ("We would rather the clips were not used for training.", "We have changed our minds.")
ACTIONS_TAKEN = (
    "Spoke to the parent the same day and agreed a safety plan.",
    "Discussed with the GP and the perinatal mental health team.",
    "Called the parent: support already in place from the GP.",
)
FEEDBACK = ("Good use of clips to build on her strengths.", "Focus on pacing the shared review.", "Well attuned.")
DISCHARGE_SUMMARY = {
    DischargeReason.COMPLETED: "Completed the planned cycles of VIG.",
    DischargeReason.ENDED_EARLY: "The family chose to end the work early.",
    DischargeReason.DID_NOT_ENGAGE: "Several visits were missed and the family did not take up the work.",
    DischargeReason.MOVED_AWAY: "The family moved out of the area.",
    DischargeReason.TRANSFERRED: "Transferred to the family's new local service.",
    DischargeReason.OTHER: "Work ended by agreement with the family.",
}
FILMED = [a for a in FilmedActivity.values if a != FilmedActivity.OTHER]
# Of the families who consent, the share agreeing to each item (filming and the supervisor's viewing: all of them).
CONSENT_SHARES = {
    ConsentItem.FILMING: 1.0,
    ConsentItem.SUPERVISOR_VIEWING: 1.0,
    ConsentItem.PEER_SUPERVISION: 0.6,
    ConsentItem.TRAINING: 0.35,
    ConsentItem.SHARING_CLIPS: 0.25,
    ConsentItem.FAMILY_COPY: 0.85,
    ConsentItem.EVALUATION: 0.7,
}


def moment(day: date, hour: int = 17, minute: int = 0) -> datetime:
    """A timestamp on `day` (UTC: cheap, and good enough for synthetic history)."""
    return datetime.combine(day, time(hour, minute, tzinfo=UTC))


def when(value: datetime) -> str:
    """A visit's time as the visit actions write it in the history."""
    return f"{timezone.localtime(value):%-d %B %Y %H:%M}"


def visit_changes(visit: Visit) -> dict:
    """What `record_visit` writes to the history when a planned visit's outcome is recorded."""
    values = {
        "outcome": visit.get_outcome_display(),
        "reason": visit.outcome_reason or None,
        "duration (minutes)": visit.duration_minutes,
        "present": visit.present or None,
    }
    return {k: [None, v] for k, v in values.items() if v is not None}


# ---------------------------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------------------------

FilmedParent = Filming.filmed_parents.through
ClipWatched = SharedReview.clips_watched.through

# The order the rows go in: each model after the ones its foreign keys point to.
ORDER = [
    Consent,
    ConsentGiver,
    ConsentDecision,
    HelpingQuestion,
    HelpingQuestionRating,
    Liaison,
    Visit,
    Cycle,
    VisitActivity,
    Filming,
    FilmedParent,
    Clip,
    SharedReview,
    ClipWatched,
    Footage,
    SupervisionSession,
    SupervisedCycle,
    Measure,
    Discharge,
    Letter,
    Notice,
    ReferralEvent,
]

# The tables the summary line counts.
SUMMARY = [
    Consent,
    ConsentDecision,
    HelpingQuestion,
    HelpingQuestionRating,
    Visit,
    Cycle,
    Filming,
    Clip,
    SharedReview,
    Footage,
    SupervisionSession,
    Measure,
    Notice,
    Discharge,
    Letter,
]


class Maker:
    """New model instances filled straight into their `__dict__`, as Django's constructor would leave them but
    without its per-field descriptors and signals (no model here listens for `pre_init`/`post_init`): at millions
    of rows the constructor was a fifth of the seeder's time. Fields not given take their defaults.
    `tests/tooling/test_scale_matches_actions.py` compares the saved rows with the actions'."""

    def __init__(self, model):
        self.model = model
        self.fields = [(f.attname, f) for f in model._meta.concrete_fields]
        self.names = {name for name, _ in self.fields}

    def __call__(self, values: dict):
        unknown = values.keys() - self.names
        if unknown:
            raise TypeError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}")
        row = self.model.__new__(self.model)
        row._state = ModelState()
        row.__dict__.update((name, values[name] if name in values else f.get_default()) for name, f in self.fields)
        return row


_makers: dict = {}


def make(model, **values):
    """A `model` instance from field attnames (`referral_id`, not `referral`)."""
    maker = _makers.get(model)
    if maker is None:
        maker = _makers[model] = Maker(model)
    return maker(values)


class Ids:
    """Primary keys taken before the rows exist, so rows can name each other (and a letter its file) while they are
    built, and `bulk_create` needs no RETURNING. PostgreSQL: blocks from the table's own sequence, so other
    processes and later inserts never collide. SQLite (one writer): counting on from the table's largest id."""

    BLOCK = 5000

    def __init__(self):
        self.free: dict = {}
        self.taken: Counter = Counter()

    def __call__(self, model) -> int:
        free = self.free.get(model)
        if not free:
            block = min(max(self.taken[model], 100), self.BLOCK)  # small at first: some tables get few rows
            free = self.free[model] = self.reserve(model, block)
            self.taken[model] += block
        return free.pop()

    def reserve(self, model, count: int) -> list[int]:
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
                )
                ids = [row[0] for row in cursor.fetchall()]
            else:
                top = self.free.get((model, "top"))
                if top is None:
                    cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608 - our names
                    top = cursor.fetchone()[0]
                ids = list(range(top + 1, top + count + 1))
                self.free[(model, "top")] = top + count
        return sorted(ids, reverse=True)  # popped from the end: ascending


@dataclass
class ServiceWork:
    """What one service's casework needs, looked up once: measures and their score pools, coordinators by site,
    the footage policy and the letter wording."""

    service: Service
    configs: list[MeasureConfig]
    pools: dict[str, dict]
    coordinators: list[tuple]  # (user, site ids; empty: every site)
    keep_months: int
    letter_contact: dict = field(default_factory=dict)  # as `letters.actions.drafting.contact_of` gives it
    ids: Ids = field(default_factory=Ids)

    @classmethod
    def load(cls, service: Service, rng: random.Random) -> "ServiceWork":
        configs = [c for c in MeasureConfig.objects.filter(service=service) if c.definition.recorded_here]
        coordinators = [
            (m.user, {s.pk for s in m.sites.all()})
            for m in Membership.objects.active()
            .filter(service=service, role=Role.COORDINATOR)
            .select_related("user")
            .prefetch_related("sites")
        ]
        return cls(
            service=service,
            configs=configs,
            pools={c.instrument: scored_pool(c, rng) for c in configs},
            coordinators=coordinators,
            keep_months=keep_months(service),
            letter_contact=contact_of(LetterSettings.objects.filter(service=service).first()),
        )

    def coordinators_of(self, referral: Referral) -> list:
        return [user for user, sites in self.coordinators if not sites or referral.site_id in sites]


class Casework:
    """The rows of one batch of families, built in memory and saved model by model (ORDER), in one transaction."""

    def __init__(self, work: ServiceWork, today: date, rng: random.Random):
        self.sw, self.today, self.rng, self.ids = work, today, rng, work.ids
        self.now = timezone.now()
        self.rows: dict = defaultdict(list)
        self.counts: Counter = Counter()

    def add(self, *, referral: Referral, parents: list[Parent], allocation: Allocation, work: Work) -> None:
        """One allocated family's casework, from its plan."""
        family = _Family(self, referral, parents, allocation, work)
        family.build()

    def save(self) -> Counter:
        """Insert the batch; returns how many rows of each model (by label) went in."""
        for model in ORDER:
            rows = self.rows.get(model)
            if rows:
                copy_instances(model, rows)
                self.counts[model._meta.label] += len(rows)
        return self.counts


class _Family:
    """Builds one family's rows into a Casework batch."""

    def __init__(self, batch: Casework, referral, parents, allocation, work: Work):
        self.batch, self.referral, self.parents, self.work = batch, referral, parents, work
        self.rng, self.today, self.now = batch.rng, batch.today, batch.now
        self.by = allocation.practitioner
        self.supervisor = allocation.supervisor
        self.allocated_at = allocation.allocated_at
        self.finished = work.ends_on is not None
        self.questions: list[HelpingQuestion] = []
        self.agreed: dict[str, bool] = {}
        self.withdrawn_all_on: date | None = None
        self.copies: list[bool] = []
        self.filmed_parents: list[Parent] = []
        self.may_train = False
        self.end_codes: set[str] = set()

    def put(self, row) -> None:
        self.batch.rows[type(row)].append(row)

    def event(self, at: date | datetime, kind: str, summary: str, changes: dict | None = None, by=None) -> None:
        """A history row as the action's `record_change` writes it (at 17:00 UTC when given a day)."""
        self.put(
            make(
                ReferralEvent,
                referral_id=self.referral.pk,
                at=at if isinstance(at, datetime) else moment(at),
                actor_id=(by or self.by).pk,
                kind=kind,
                summary=summary,
                changes=changes or {},
            )
        )

    def build(self) -> None:
        self.liaison()
        self.consent()
        self.helping_questions()
        visits = self.visits()
        cycles = self.cycles(visits)
        self.measures()
        if self.finished:
            self.discharge(cycles)

    # --- Contact ----------------------------------------------------------------------------------------------

    def liaison(self) -> None:
        day = self.allocated_at.date() + timedelta(days=self.rng.randint(1, 10))
        if self.rng.random() < 0.9 and day < self.today:
            liaison = make(
                Liaison,
                referral_id=self.referral.pk,
                contacted_on=day,
                method=self.rng.choice(LiaisonMethod.values[:3]),
                summary="Told the referrer the family is allocated and when the work starts.",
                recorded_by_id=self.by.pk,
                recorded_at=moment(day),
            )
            self.put(liaison)
            changes = {"contacted on": day, "method": LiaisonMethod(liaison.method).label, "summary": liaison.summary}
            self.event(day, "liaison_recorded", "Liaison with the referrer recorded", added(changes))

    def consent(self) -> None:
        rng, day = self.rng, self.work.consent_on
        if day is None:
            return
        self.agreed = {item: rng.random() < share for item, share in CONSENT_SHARES.items()}
        consent = make(
            Consent,
            id=self.batch.ids(Consent),
            referral_id=self.referral.pk,
            given_on=day,
            written_agreement_given=True,
            sharing_with="The named health visitor" if self.agreed[ConsentItem.SHARING_CLIPS] else "",
            recorded_by_id=self.by.pk,
            recorded_at=moment(day),
        )
        self.put(consent)
        withdrawn_on, items = None, ()
        if self.work.reason == DischargeReason.ENDED_EARLY and rng.random() < 0.25:
            withdrawn_on, items = self.work.ends_on, tuple(ConsentItem.values)
        elif rng.random() < 0.03:
            withdrawn_on = day + timedelta(days=rng.randint(7, 60))
            items = (ConsentItem.TRAINING, ConsentItem.EVALUATION, ConsentItem.PEER_SUPERVISION)
            if withdrawn_on >= (self.work.ends_on or self.today):
                withdrawn_on = None
        if withdrawn_on and len(items) == len(ConsentItem.values):
            self.withdrawn_all_on = withdrawn_on
        self.may_train = self.agreed[ConsentItem.TRAINING] and not (withdrawn_on and ConsentItem.TRAINING in items)
        filmed = [n == 0 or rng.random() < 0.9 for n, _ in enumerate(self.parents)]
        reason = rng.choice(WITHDRAWAL_REASONS) if withdrawn_on else ""
        for parent, gave in zip(self.parents, filmed, strict=True):
            if not gave:
                continue
            giver = make(ConsentGiver, id=self.batch.ids(ConsentGiver), consent_id=consent.id, parent_id=parent.pk)
            self.put(giver)
            for item in ConsentItem.values:
                out = withdrawn_on is not None and item in items and self.agreed[item]
                self.put(
                    make(
                        ConsentDecision,
                        giver_id=giver.id,
                        item=item,
                        agreed=self.agreed[item],
                        withdrawn_on=withdrawn_on if out else None,
                        withdrawn_by_id=self.by.pk if out else None,
                        withdrawal_reason=reason if out else "",
                    )
                )
        self.filmed_parents = [p for p, gave in zip(self.parents, filmed, strict=True) if gave]
        self.consent_event(consent, withdrawn_on, items, reason)

    def consent_event(self, consent, withdrawn_on: date | None, items, reason: str) -> None:
        """`record_consent`'s history row (each giver's agreed items), and `withdraw_consent`'s if they withdrew."""
        day = consent.given_on
        agreed = ", ".join(ConsentItem(item).label for item, yes in self.agreed.items() if yes) or "nothing"
        changes = {"given on": [None, day.isoformat()], "written agreement given": [None, True]}
        changes |= {parent.name: [None, f"agreed to: {agreed}"] for parent in self.filmed_parents}
        if consent.sharing_with:
            changes["clips may be shared with"] = [None, consent.sharing_with]
        self.event(day, "consent_recorded", "Consent recorded", changes)
        withdrawn = ", ".join(ConsentItem(i).label for i in items if self.agreed[i])
        if withdrawn_on is not None and withdrawn:
            changes = {parent.name: [None, f"withdrew: {withdrawn}"] for parent in self.filmed_parents}
            changes |= {"withdrawn on": [None, withdrawn_on.isoformat()], "reason": [None, reason]}
            whole = len(items) == len(ConsentItem.values)
            summary = "Consent withdrawn" if whole else "Consent withdrawn for some items"
            self.event(withdrawn_on, "consent_withdrawn", summary, changes)

    def helping_questions(self) -> None:
        rng, day = self.rng, self.work.consent_on
        if day is None:
            return
        texts = rng.sample(HELPING_QUESTIONS, rng.choice((1, 2, 2, 3, 3)))
        middle = self.work.cycles[len(self.work.cycles) // 2].reviewed_on if self.work.cycles else None
        for number, text in enumerate(texts, start=1):
            question = make(
                HelpingQuestion,
                id=self.batch.ids(HelpingQuestion),
                referral_id=self.referral.pk,
                number=number,
                text=text,
                recorded_by_id=self.by.pk,
                recorded_at=moment(day),
            )
            self.put(question)
            self.questions.append(question)
            self.event(
                day, "helping_question_added", f"Helping question {number} added", {"helping question": [None, text]}
            )
            start = rng.choices(range(0, 7), (1, 3, 5, 6, 4, 2, 1))[0]
            self.rating(question, RatingPoint.START, day, start)
            end = min(max(start + round(rng.gauss(3.5, 2.0)), 0), 10)
            if middle and rng.random() < 0.25:
                self.rating(question, RatingPoint.MID, middle, (start + end) // 2)
            if self.work.closing_on:
                self.rating(question, RatingPoint.END, self.work.closing_on, end)

    def rating(self, question, point, day, value) -> None:
        label = RatingPoint(point).label.lower()
        changes = {f"rating ({label})": [None, f"{value}/10 on {day.isoformat()}"]}
        self.event(day, "helping_question_rated", f"Helping question {question.number} rated", changes)
        self.put(
            make(
                HelpingQuestionRating,
                question_id=question.id,
                point=point,
                rated_on=day,
                score=value,
                recorded_by_id=self.by.pk,
                recorded_at=moment(day),
            )
        )

    # --- Visits and cycles ------------------------------------------------------------------------------------

    def visits(self) -> dict[int, Visit]:
        rng, made = self.rng, {}
        for planned in self.work.visits:
            planned_at = moment(planned.day, planned.hour, rng.choice((0, 0, 15, 30, 45)))
            outcome = planned.outcome
            place = rng.choices(VisitPlace.values, (70, 15, 10, 5))[0]
            visit = make(
                Visit,
                id=self.batch.ids(Visit),
                referral_id=self.referral.pk,
                practitioner_id=self.by.pk,
                planned_at=planned_at,
                place=place,
                place_details="Children's centre" if place == VisitPlace.OTHER else "",
                outcome=outcome,
                outcome_reason=MISSED_REASONS.get(outcome, ""),
                duration_minutes=rng.choice((45, 60, 60, 75, 90, 90, 120)) if outcome == ATTENDED else None,
                present="Parent and baby" if outcome == ATTENDED else "",
                recorded_at=min(planned_at + timedelta(hours=3), self.now) if outcome else None,
                created_by_id=self.by.pk,
                created_at=min(max(planned_at - timedelta(days=rng.randint(2, 14)), self.allocated_at), self.now),
            )
            self.put(visit)
            made[id(planned)] = visit
            self.visit_events(visit, planned)
        return made

    def visit_events(self, visit: Visit, planned: PlannedVisit) -> None:
        """`book_visit`'s history row, and `record_visit`'s once the outcome is recorded."""
        booked = {
            "planned at": when(visit.planned_at),
            "place": VisitPlace(visit.place).label,
            "place details": visit.place_details,
            "activities": ", ".join(ActivityKind(kind).label for kind, _ in planned.activities),
        }
        self.event(visit.created_at, "visit_booked", f"Visit booked for {when(visit.planned_at)}", added(booked))
        if visit.outcome:
            summary = f"Visit of {when(visit.planned_at)} recorded: {visit.get_outcome_display().lower()}"
            self.event(visit.recorded_at, "visit_recorded", summary, visit_changes(visit))

    def cycles(self, visits: dict[int, Visit]) -> list[Cycle]:
        made = {}
        for planned in self.work.cycles:
            maximum = self.batch.sw.service.max_cycles
            cycle = make(
                Cycle,
                id=self.batch.ids(Cycle),
                referral_id=self.referral.pk,
                number=planned.number,
                beyond_maximum_reason="The family asked for one more cycle to practise bedtimes."
                if planned.number > maximum
                else "",
                created_by_id=self.by.pk,
                created_at=moment(planned.started_on),
            )
            self.put(cycle)
            made[planned.number] = cycle
            changes = added({"cycle": cycle.number, "reason beyond the maximum": cycle.beyond_maximum_reason})
            self.event(cycle.created_at, "cycle_started", f"Cycle {cycle.number} started", changes)
            if planned.film is not None:
                self.filming(cycle, planned, visits)
        for planned in self.work.visits:
            for kind, number in planned.activities:
                cycle = made.get(number)
                self.put(make(VisitActivity, visit_id=visits[id(planned)].id, kind=kind, cycle_id=cycle and cycle.id))
        return list(made.values())

    def filming(self, cycle: Cycle, planned: PlannedCycle, visits: dict[int, Visit]) -> None:
        rng, day = self.rng, planned.filmed_on
        length = rng.randint(180, 900)
        filming = make(
            Filming,
            id=self.batch.ids(Filming),
            cycle_id=cycle.id,
            visit_id=visits[id(planned.film)].id,
            filmed_on=day,
            activity=rng.choice(FILMED),
            length_seconds=length,
            recorded_by_id=self.by.pk,
            recorded_at=moment(day),
        )
        self.put(filming)
        for parent in self.filmed_parents:
            self.put(make(FilmedParent, filming_id=filming.id, parent_id=parent.pk))
        changes = {
            "filmed on": day,
            "activity": FilmedActivity(filming.activity).label,
            "filmed": ", ".join(p.name for p in self.filmed_parents),
            "length (seconds)": length,
        }
        self.event(day, "filming_recorded", f"Cycle {cycle.number} filming recorded", added(changes))
        clips = []
        for _ in range(rng.choice((2, 3, 3))):  # chosen in micro-analysis, the day of the filming or soon after
            start = rng.randint(0, length - 30)
            clip = make(
                Clip,
                id=self.batch.ids(Clip),
                filming_id=filming.id,
                start_seconds=start,
                end_seconds=start + rng.randint(5, 30),
                principles=sorted(rng.sample(range(1, 7), rng.randint(1, 3))),
                helping_question_id=rng.choice(self.questions).id,
                description=rng.choice(CLIP_WORDS),
                marked_for_training=self.may_train and rng.random() < 0.15,
                recorded_by_id=self.by.pk,
                recorded_at=min(moment(day + timedelta(days=rng.randint(0, 3)), 19), self.now),
            )
            self.put(clip)
            clips.append(clip)
            self.clip_event(cycle, clip)
        if planned.review is not None:
            reviewed = planned.reviewed_on
            review = make(
                SharedReview,
                id=self.batch.ids(SharedReview),
                cycle_id=cycle.id,
                visit_id=visits[id(planned.review)].id,
                reviewed_on=reviewed,
                parent_reflections=rng.choice(REFLECTIONS),
                parent_learning="Waiting gives my baby time to answer.",
                next_focus=rng.choice(NEXT_FOCUS),
                recorded_by_id=self.by.pk,
                recorded_at=moment(reviewed),
            )
            self.put(review)
            for clip in clips:
                self.put(make(ClipWatched, sharedreview_id=review.id, clip_id=clip.id))
            changes = {
                "reviewed on": reviewed,
                "clips watched": len(clips),
                "parent's reflections": review.parent_reflections,
                "what the parent learned": review.parent_learning,
                "next focus": review.next_focus,
            }
            summary = f"Cycle {cycle.number} shared review recorded"
            self.event(review.recorded_at, "shared_review_recorded", summary, added(changes))
            self.supervision(cycle, reviewed)
        self.footage(filming, planned)

    def clip_event(self, cycle: Cycle, clip: Clip) -> None:
        """`add_clip`'s history row."""
        changes = {
            "from (seconds)": clip.start_seconds,
            "to (seconds)": clip.end_seconds,
            "principles": ", ".join(Principle(n).label for n in clip.principles),
            "helping question": next(q.number for q in self.questions if q.id == clip.helping_question_id),
            "marked for training": "Yes" if clip.marked_for_training else "",
        }
        self.event(clip.recorded_at, "clip_added", f"Cycle {cycle.number} clip added", added(changes))

    def supervision(self, cycle: Cycle, reviewed: date) -> None:
        """A trainee's cycle goes to their supervisor after the shared review and is signed off there."""
        if self.supervisor is None:
            return
        held = reviewed + timedelta(days=self.rng.randint(2, 14))
        if held >= self.today or (self.withdrawn_all_on and held >= self.withdrawn_all_on):
            return
        session = make(
            SupervisionSession,
            id=self.batch.ids(SupervisionSession),
            service_id=self.batch.sw.service.pk,
            supervisor_id=self.supervisor.pk,
            trainee_id=self.by.pk,
            held_on=held,
            duration_minutes=self.rng.choice((45, 60, 60, 90, 90, 120)),
            feedback=self.rng.choice(FEEDBACK),
            recorded_by_id=self.supervisor.pk,
            recorded_at=moment(held),
        )
        self.put(session)
        self.put(make(SupervisedCycle, session_id=session.id, cycle_id=cycle.id, signed_off=True))
        cycle.signed_off_at, cycle.signed_off_by_id = moment(held, 16), self.supervisor.pk
        changes = {
            "supervision date": [None, held.isoformat()],
            "cycles discussed": [None, [cycle.number]],
            "cycles signed off": [None, [cycle.number]],
        }
        summary = f"Supervision recorded: cycle {cycle.number} discussed; cycle {cycle.number} signed off"
        self.event(session.recorded_at, "supervision_recorded", summary, changes, by=self.supervisor)

    def footage(self, filming: Filming, planned: PlannedCycle) -> None:
        rng, work = self.rng, self.work
        copy, copy_on = FamilyCopy.NOT_YET, None
        if self.finished and self.agreed.get(ConsentItem.FAMILY_COPY):
            if rng.random() < 0.85:
                copy, copy_on = FamilyCopy.GIVEN, work.closing_on or work.ends_on
            else:
                copy = FamilyCopy.DECLINED
        self.copies.append(copy == FamilyCopy.GIVEN)
        destroy_by = destroyed = None
        if self.finished:
            destroy_by = work.ends_on + relativedelta(months=self.batch.sw.keep_months)
            if destroy_by < self.today:
                overdue_share = 0.2 if (self.today - destroy_by).days < 90 else 0.002
                if rng.random() >= overdue_share:
                    destroyed = destroy_by - timedelta(days=rng.randint(0, 30))
            elif rng.random() < 0.3:
                destroyed = work.ends_on + timedelta(days=rng.randint(0, (self.today - work.ends_on).days - 1))
            if destroyed is not None:
                destroyed = min(max(destroyed, work.ends_on, planned.filmed_on), self.today)
        footage = make(
            Footage,
            id=self.batch.ids(Footage),
            filming_id=filming.id,
            location="The service's encrypted share",
            reference=f"{self.referral.reference}-C{planned.number}",
            family_copy=copy,
            family_copy_how="Encrypted USB stick" if copy == FamilyCopy.GIVEN else "",
            family_copy_on=copy_on,
            destroy_by=destroy_by,
            destroyed_on=destroyed,
            destruction_confirmed_by_id=self.by.pk if destroyed else None,
        )
        self.put(footage)
        self.footage_events(footage, planned)
        if destroy_by and destroy_by < self.today and destroyed is None:
            summary = (
                f"Footage of cycle {planned.number} for {self.referral.reference} was due for destruction by "
                f"{destroy_by:%-d %B %Y}. Destroy it and confirm on the family's record."
            )
            for user in self.recipients():
                notice = make(
                    Notice,
                    recipient_id=user.pk,
                    kind=NoticeKind.FOOTAGE_OVERDUE,
                    referral_id=self.referral.pk,
                    object_type="cycles.footage",
                    object_id=str(footage.id),
                    summary=summary,
                    created_at=moment(destroy_by + timedelta(days=1), 6),
                )
                self.put(notice)

    def footage_events(self, footage: Footage, planned: PlannedCycle) -> None:
        """`record_footage`'s history row (on the day of the filming), and `confirm_footage_destroyed`'s."""
        values = {
            "location": footage.location,
            "reference": footage.reference,
            "family_copy": footage.family_copy,
            "family_copy_how": footage.family_copy_how,
            "family_copy_on": footage.family_copy_on.isoformat() if footage.family_copy_on else None,
        }
        changes = {k: [None, v] for k, v in values.items() if v is not None}
        self.event(planned.filmed_on, "footage_recorded", f"Footage of cycle {planned.number} recorded", changes)
        if footage.destroyed_on:
            summary = f"Footage of cycle {planned.number} destroyed: confirmed"
            changes = {"destroyed on": [None, footage.destroyed_on.isoformat()]}
            self.event(footage.destroyed_on, "footage_destroyed", summary, changes)

    def recipients(self) -> list:
        people = {self.by.pk: self.by}
        for user in self.batch.sw.coordinators_of(self.referral):
            people.setdefault(user.pk, user)
        return list(people.values())

    # --- Outcome measures -------------------------------------------------------------------------------------

    def measures(self) -> None:
        rng, work = self.rng, self.work
        if work.consent_on is None:
            return
        badness = rng.uniform(0.25, 0.65)
        better = min(max(badness - rng.gauss(0.12, 0.12), 0.0), 1.0)
        for config in self.batch.sw.configs:
            pool = self.batch.sw.pools[config.instrument]
            if TimePoint.BASELINE in config.time_points and rng.random() < 0.95:
                self.measure(config, pool, TimePoint.BASELINE, work.consent_on, badness, risky=rng.random() < 0.04)
            if TimePoint.END in config.time_points and work.closing_on and rng.random() < 0.92:
                self.measure(config, pool, TimePoint.END, work.closing_on, better, risky=rng.random() < 0.015)
                self.end_codes.add(config.instrument)

    def measure(self, config, pool, point: str, day: date, badness: float, risky: bool) -> None:
        risky = risky and True in pool
        entry = self.rng.choice(pool[risky][round(badness * LEVELS)])
        measure = make(
            Measure,
            id=self.batch.ids(Measure),
            referral_id=self.referral.pk,
            instrument=config.instrument,
            instrument_version=config.definition.version,
            time_point=point,
            completed_on=day,
            answers=entry.answers,
            result=entry.result,
            primary_value=entry.primary_value,
            risk_flagged=bool(entry.result["risk"]),
            recorded_by_id=self.by.pk,
            recorded_at=moment(day),
        )
        self.put(measure)
        primary = next((s for s in entry.result["scales"] if s["code"] == entry.result.get("primary")), None)
        if primary is None:
            score_text = "; ".join(f"{s['label']} {s['value'] or 'not scorable'}" for s in entry.result["scales"])
        else:
            score_text = primary["value"] if primary["scorable"] else "not scorable"
        changes = {"score": [None, score_text], **({"risk answer": [None, "yes"]} if measure.risk_flagged else {})}
        summary = f"{config.definition} recorded ({TimePoint(point).label.lower()})"
        self.event(measure.recorded_at, "outcome_measure_recorded", summary, changes)
        if measure.risk_flagged:
            self.risk_notices(measure)

    def risk_notices(self, measure: Measure) -> None:
        """One urgent notice to the practitioner and each coordinator covering the family; most acknowledged, by
        one of them for all (as `acknowledge_notice` closes every notice about the same answer)."""
        rng, created = self.rng, measure.recorded_at
        measure.referral = self.referral  # the summary names the family's reference
        summary = summary_for(measure)[:300]
        recipients = list(self.recipients())
        acknowledged, by, action = None, None, ""
        if recipients and (created < self.now - timedelta(days=3) and rng.random() < 0.95 or rng.random() < 0.4):
            acknowledged = min(created + timedelta(minutes=rng.randint(10, 3 * 24 * 60)), self.now)
            by, action = rng.choice(recipients), rng.choice(ACTIONS_TAKEN)
        for user in recipients:
            notice = make(
                Notice,
                recipient_id=user.pk,
                kind=NoticeKind.RISK_ANSWER,
                referral_id=self.referral.pk,
                object_type="outcomes.measure",
                object_id=str(measure.id),
                summary=summary,
                urgent=True,
                created_at=created,
                acknowledged_at=acknowledged,
                acknowledged_by_id=by.pk if by else None,
                action_taken=action,
            )
            self.put(notice)
        if acknowledged:  # one line in the history, by whoever acted, naming the others it closed for
            others = sorted({str(user) for user in recipients} - {str(by)})
            changes = {
                "action taken": [None, action],
                **({"also closed for": [None, ", ".join(others)]} if others else {}),
            }
            summary = "Notice acknowledged: Risk answer on a questionnaire"
            self.event(acknowledged, "notice_acknowledged", summary, changes, by=by)

    # --- Discharge and letters --------------------------------------------------------------------------------

    def discharge(self, cycles: list[Cycle]) -> None:
        rng, work = self.rng, self.work
        missing = [
            c.instrument
            for c in self.batch.sw.configs
            if TimePoint.END in c.time_points and c.instrument not in self.end_codes
        ]
        agreed_referrer, agreed_hv = rng.random() < 0.8, rng.random() < 0.7
        discharge = make(
            Discharge,
            referral_id=self.referral.pk,
            discharged_on=work.ends_on,
            reason=work.reason,
            reason_details="Family's choice after a house move." if work.reason == DischargeReason.OTHER else "",
            summary=f"{DISCHARGE_SUMMARY[work.reason]} {len(cycles)} cycle{'s' if len(cycles) != 1 else ''} of VIG.",
            did_well="Noticing and following the baby's lead." if cycles else "",
            ideas="Keep sharing books at bedtime." if cycles else "",
            missing_end_measures=missing,
            missing_measures_reason="The family did not complete the end questionnaires." if missing else "",
            health_visitor=self.referral.named_health_visitor or "The named health visitor",
            plan="Continue universal health visiting." if agreed_hv else "",
            letter_to_referrer_agreed=agreed_referrer,
            letter_to_health_visitor_agreed=agreed_hv,
            family_copy_given=any(self.copies),
            footage_destroy_by=work.ends_on + relativedelta(months=self.batch.sw.keep_months),
            discharged_by_id=self.by.pk,
            recorded_at=moment(work.ends_on),
        )
        self.put(discharge)
        self.discharge_events(discharge, cycles)
        kinds = [LetterKind.FAMILY]
        kinds += [LetterKind.REFERRER] if agreed_referrer else []
        kinds += [LetterKind.HANDOVER] if agreed_hv else []
        for kind in kinds:
            self.letter(kind, discharge)

    def discharge_events(self, discharge: Discharge, cycles: list[Cycle]) -> None:
        """`discharge_family`'s history rows: the footage destruction date (if anything was filmed), then the
        discharge itself, at the moment the referral closed."""
        filmed = sum(1 for planned in self.work.cycles if planned.film is not None)
        if filmed:
            destroy_by = discharge.footage_destroy_by
            summary = f"Footage destruction date set: destroy by {destroy_by:%-d %B %Y}"
            changes = {"destroy by": [None, destroy_by.isoformat()], "footage": [None, filmed]}
            self.event(self.referral.closed_at, "footage_destruction_dates_set", summary, changes)
        agreed = (
            ("referrer", discharge.letter_to_referrer_agreed),
            ("health visitor", discharge.letter_to_health_visitor_agreed),
        )
        reason = DischargeReason(discharge.reason).label
        changes = {
            "status": ["allocated", "discharged"],
            "reason": [None, reason],
            "discharged on": [None, discharge.discharged_on.isoformat()],
            "letters agreed": [None, ", ".join(name for name, yes in agreed if yes) or "none"],
        }
        if discharge.missing_end_measures:
            changes["end measures missing"] = [None, ", ".join(discharge.missing_end_measures)]
        summary = f"Family discharged: {reason.lower()}"
        self.event(self.referral.closed_at, "discharged", summary, changes)

    def letter_events(self, letter: Letter, approver) -> None:
        """The history rows of a letter's life: drafted, approved, and sent if it was."""
        name = letter.get_kind_display()
        drafted_in = letter_languages.drafted_in(letter.content)
        self.event(
            letter.created_at,
            "letter_drafted",
            f"{name} drafted{drafted_in}",
            letter_languages.history_changes(letter.content),
        )
        changes = {"content hash": [None, letter.content_hash]}
        summary = f"{name} approved (version {letter.version})"
        self.event(letter.approved_at, "letter_approved", summary, changes, by=approver)
        if letter.sent_at:
            changes = {"sent": [None, letter.sent_at.date().isoformat()], "how": [None, letter.sent_how]}
            self.event(letter.sent_at, "letter_sent", f"{name} sent ({letter.sent_how})", changes)

    def letter(self, kind: str, discharge: Discharge) -> None:
        """A discharge letter as the pipeline leaves it: approved, content and hash fixed, the PDF made (READY, its
        file name set after insert) or, for a few recent ones, FAILED after the last attempt."""
        rng, referral = self.rng, self.referral
        approved_on = min(discharge.discharged_on + timedelta(days=rng.randint(0, 5)), self.today)
        approved_at = min(moment(approved_on, 11), self.now)
        failed = (self.today - approved_on).days < 60 and rng.random() < 0.02
        names = [p.name for p in self.parents]
        if kind == LetterKind.FAMILY:
            recipient = ", ".join(names)
            address = f"{self.parents[0].address}\n{self.parents[0].postcode}"
        elif kind == LetterKind.REFERRER:
            recipient, address = referral.referrer_name, f"{referral.referrer_role}\n{referral.referrer_organisation}"
        else:
            recipient = discharge.health_visitor
            address = "\n".join(
                filter(None, [referral.named_health_visitor_team, referral.named_health_visitor_address])
            )
        approver = self.supervisor or self.by
        letter = make(
            Letter,
            id=self.batch.ids(Letter),
            referral_id=referral.pk,
            kind=kind,
            recipient_name=recipient,
            recipient_address=address,
            content=self.letter_content(kind, discharge, approved_on, names),
            status=LetterStatus.FAILED if failed else LetterStatus.READY,
            status_changed_at=approved_at + timedelta(seconds=rng.randint(2, 40)),
            error="OSError: the letter store did not answer." if failed else "",
            attempts=settings.LETTER_RENDER_MAX_ATTEMPTS if failed else 1,
            last_attempt_at=approved_at + timedelta(seconds=1),
            render_seconds=None if failed else round(rng.uniform(0.04, 0.25), 3),
            approved_by_id=approver.pk,
            approved_at=approved_at,
            created_by_id=self.by.pk,
            created_at=moment(discharge.discharged_on, 16),
        )
        if not failed and (self.today - approved_on).days > 3 and rng.random() < 0.9:
            sent_on = approved_on + timedelta(days=rng.randint(0, 3))
            letter.sent_at = moment(sent_on, 12)
            letter.sent_how = "Post" if kind == LetterKind.FAMILY else rng.choice(("Secure email", "Post"))
            letter.sent_by_id = self.by.pk
        letter.content_hash = letter.compute_hash()
        letter.file = "" if failed else file_name(letter)  # the name the render pipeline gives the PDF
        self.put(letter)
        self.letter_events(letter, approver)

    def letter_content(self, kind: str, discharge: Discharge, approved_on: date, names: list[str]) -> dict:
        """The content `draft_letter` freezes (same keys: `test_scale_matches_actions` compares them)."""
        referral, service, by = self.referral, self.batch.sw.service, self.by
        author = by.get_full_name() or by.get_username()
        wording = DEFAULT_WORDING.get(kind, {})
        sections = {"opening": wording.get("opening", ""), "closing": wording.get("closing", "")}
        if kind == LetterKind.FAMILY:
            sections |= {
                "helping_questions": "\n".join(f"You asked: “{q.text}”" for q in self.questions),
                "did_well": discharge.did_well,
                "ideas": discharge.ideas,
            }
        else:
            sections |= {"reason": "", "summary": discharge.summary, "plan": discharge.plan, "information_given": ""}
        address = ""
        if kind == LetterKind.FAMILY or not referral.confidential_address:
            address = f"{self.parents[0].address} {self.parents[0].postcode}"
        child_number = nhs_display(referral.child_nhs_number) if referral.child_nhs_number else "not known"
        born = f"{referral.child_date_of_birth:%-d %B %Y}" if referral.child_date_of_birth else "not known"
        people = [
            {"role": "Child", "name": referral.child_name or "Baby", "date_of_birth": born, "nhs_number": child_number}
        ]
        people += [
            {
                "role": (p.relationship or "Parent or carer").capitalize(),
                "name": p.name,
                "date_of_birth": f"{p.date_of_birth:%-d %B %Y}",
                "nhs_number": nhs_display(p.nhs_number) if p.nhs_number else "not known",
            }
            for p in self.parents
        ]
        if kind == LetterKind.FAMILY:
            salutation = "Dear " + " and ".join(name.split()[0] for name in names)
        else:
            salutation = f"Dear {recipient_of(kind, referral, discharge)}"
        content = {
            "letterhead": f"{service.name}\n{service.organisation}",
            "address_block": self.batch.sw.letter_contact["address"],
            "contact": self.batch.sw.letter_contact,
            "sign_off": service.letter_sign_off or service.name,
            "marking": "OFFICIAL-SENSITIVE: PERSONAL",
            "service_name": service.name,
            "salutation": salutation,
            "patient": {
                "child_name": referral.child_name or "Baby",
                "date_of_birth": born,
                "nhs_number": child_number,
                "gp_practice": referral.gp_practice,
                "parents": names,
                "people": people,
                "address": address,
            },
            "referrer": {
                "name": referral.referrer_name,
                "role": referral.referrer_role,
                "organisation": referral.referrer_organisation,
            },
            "author": {"name": author, "role": by.job_title},
            "values": {
                "child_name": referral.child_name or "Baby",
                "parent_names": " and ".join(names),
                "referrer_name": referral.referrer_name,
                "service_name": service.name,
                "author_name": author,
            },
            "sections": sections,
            "copies": [],
            "actions": [],
            "scales": [],
            "goals": [],
            "date": f"{approved_on:%-d %B %Y}",
        }
        # The bulk families all read English: the wording `draft_letter` would choose, with no query for it.
        if kind not in letter_languages.TRANSLATABLE_KINDS:
            return content
        return letter_languages.apply(content, letter_languages.Choice(family_language=LANGUAGES["en"]))


def recipient_of(kind: str, referral: Referral, discharge: Discharge) -> str:
    """Whom a professional's letter greets: the health visitor for a handover, else the referrer."""
    return discharge.health_visitor if kind == LetterKind.HANDOVER else referral.referrer_name
