"""Demo configuration and staff for `make run`. Never used outside demo mode and tests."""

import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone as django_timezone

from accounts.models import (
    Membership,
    ReferralQuestion,
    ReferralSource,
    Role,
    Service,
    Site,
    TrainingStageTarget,
    TrainingStatus,
    User,
)
from tooling.seeds import SEED_SERVICES

# AVIGuk's published example: (stage, cycles, supervision hours).
DEFAULT_TRAINING_STAGES = [(1, 6, 7), (2, 9, 8), (3, 12, 8)]

DEMO_PASSWORD = "demo-vig-2026"  # noqa: S105 - printed on screen by `make run`; demo mode only

# username, first, last, job title, [(service seed, role, training status, [site names])]
DEMO_STAFF = [
    (
        "coordinator",
        "Cara",
        "Coordinator",
        "VIG coordinator",
        [("000", Role.COORDINATOR, "", []), ("004", Role.COORDINATOR, "", [])],
    ),
    (
        "practitioner",
        "Priya",
        "Practitioner",
        "Health visitor (VIG practitioner)",
        [("000", Role.PRACTITIONER, TrainingStatus.ACCREDITED, ["Peterborough"])],
    ),
    (
        "trainee",
        "Tom",
        "Trainee",
        "Health visitor (VIG trainee)",
        [("000", Role.PRACTITIONER, TrainingStatus.TRAINEE, ["Cambridgeshire"])],
    ),
    (
        "supervisor",
        "Sam",
        "Supervisor",
        "VIG supervisor",
        [("000", Role.SUPERVISOR, "", []), ("000", Role.PRACTITIONER, TrainingStatus.ACCREDITED, ["Cambridgeshire"])],
    ),
    ("manager", "Mo", "Manager", "Service manager", [("000", Role.MANAGER, "", [])]),
]


@transaction.atomic
def configure_seed_services() -> list[Service]:
    """Create or update the five seed services with their sites, sources, questions and rules."""
    return [configure_service(seed) for seed in SEED_SERVICES]


def configure_service(seed: dict) -> Service:
    """Create or update one service from a seed's configuration (its slug says which); `seed_scale` also makes
    copies of the seeds under other slugs and names, for an install serving many services."""
    from outcomes.models import MeasureConfig
    from referrals.models import EligibilityRule

    fields = {
        k: seed[k]
        for k in (
            "name",
            "organisation",
            "description",
            "planned_cycles",
            "min_cycles",
            "max_cycles",
            "wait_target_weeks",
            "letter_sign_off",
        )
    }
    service, _ = Service.objects.update_or_create(slug=seed["slug"], defaults=fields)
    for site in seed["sites"]:
        Site.objects.update_or_create(
            service=service,
            name=site["name"],
            defaults={"postcode_prefixes": site.get("postcodes", ""), "address": site.get("address", "")},
        )
    for name in seed["sources"]:
        ReferralSource.objects.get_or_create(service=service, name=name)
    for order, question in enumerate(seed["questions"]):
        ReferralQuestion.objects.update_or_create(
            service=service, key=question["key"], defaults={"text": question["text"], "order": order}
        )
    for stage, cycles, hours in seed.get("training_stages", DEFAULT_TRAINING_STAGES):
        TrainingStageTarget.objects.update_or_create(
            service=service,
            stage=stage,
            defaults={"cycles_required": cycles, "supervision_hours_required": hours},
        )
    wanted = [(rule["kind"], rule["params"], order) for order, rule in enumerate(seed["eligibility"])]
    if list(service.eligibility_rules.order_by("order").values_list("kind", "params", "order")) != wanted:
        service.eligibility_rules.all().delete()  # loading again with the rules unchanged keeps them as they are
        EligibilityRule.objects.bulk_create(
            EligibilityRule(service=service, kind=kind, params=params, order=order) for kind, params, order in wanted
        )
    for order, measure in enumerate(seed.get("measures", [])):
        MeasureConfig.objects.update_or_create(
            service=service,
            instrument=measure["instrument"],
            defaults={"time_points": measure["time_points"], "order": order, "note": measure.get("note", "")},
        )
    _letter_contact(service, seed.get("letter_contact"))
    return service


def _letter_contact(service, contact: dict | None) -> None:
    """The seed's letter contact details, set once: a service admin's own changes are never overwritten."""
    from letters.models import LetterSettings

    if contact:
        LetterSettings.objects.get_or_create(
            service=service,
            defaults={
                "letterhead": f"{service.name}\n{service.organisation}",
                "sign_off": service.letter_sign_off,
                "phone": contact["phone"],
                "email": contact["email"],
                "address_block": contact["address"],
            },
        )


@transaction.atomic
def create_demo_staff(password: str = DEMO_PASSWORD) -> list[User]:
    """The demo log-ins: an admin and one person for each role."""
    by_seed = {seed["seed"]: Service.objects.get(slug=seed["slug"]) for seed in SEED_SERVICES}
    admin, _ = User.objects.update_or_create(
        username="admin",
        defaults={
            "first_name": "Ada",
            "last_name": "Admin",
            "is_staff": True,
            "is_superuser": True,
            "job_title": "Platform admin",
        },
    )
    admin.set_password(password)
    admin.save()
    users, new_memberships = [admin], set()
    for service in by_seed.values():
        Membership.objects.get_or_create(user=admin, service=service, role=Role.SERVICE_ADMIN)
    for username, first, last, title, memberships in DEMO_STAFF:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "job_title": title}
        )
        user.set_password(password)
        user.save()
        for seed_number, role, training, site_names in memberships:
            service = by_seed[seed_number]
            membership, created = Membership.objects.update_or_create(
                user=user, service=service, role=role, defaults={"training_status": training}
            )
            if created:
                new_memberships.add(membership.pk)
            membership.sites.set(Site.objects.filter(service=service, name__in=site_names))
        users.append(user)
    from referrals.actions import change_practitioner_details

    supervisor = User.objects.get(username="supervisor")
    # Set once, when the membership is made: loading the demo again changes nothing (and logs nothing).
    memberships = Membership.objects.filter(role=Role.PRACTITIONER, pk__in=new_memberships).select_related("service")
    for membership in memberships:
        trainee = membership.training_status == TrainingStatus.TRAINEE
        change_practitioner_details(
            membership=membership,
            by=admin,
            capacity=4 if trainee else 6,
            protected_days=[1] if trainee else [2, 3],
            supervisor=supervisor if trainee else None,
            training_stage=1 if trainee else None,
        )
    return users


# Every date below is in days before today. (service seed, site, received, child's age in months at referral or None
# for unborn, parent name, NHS number, flags, step, triaged, allocated): `step` is how far triage and allocation went.
DEMO_FAMILIES = [
    ("000", "Peterborough", 30, 3, "Amira Hassan", "9990000018", {"interpreter": True}, "allocate", 27, 25),
    ("000", "Peterborough", 21, None, "Chloe Barker", "9990000026", {}, "accept", 18, None),
    (
        "000",
        "Cambridgeshire",
        50,
        5,
        "Grace Okafor",
        "9990000034",
        {"safeguarding": "child_in_need"},
        "allocate_trainee",
        48,
        45,
    ),
    ("000", "Cambridgeshire", 9, 14, "Laura Quinn", "9990000042", {}, "received", None, None),
    (
        "000",
        "Peterborough",
        6,
        7,
        "Sophie Turner",
        "9990000050",
        {"confidential": True},
        "request_information",
        5,
        None,
    ),
    ("000", "Peterborough", 2, 1, "Hannah Price", "9990000069", {}, "received", None, None),
    ("004", "Knowsley", 15, 2, "Megan Doyle", "9990000077", {}, "received", None, None),
    ("004", "Sefton", 4, 4, "Ruth Edwards", "9990000085", {"risks": True}, "accept", 3, None),
    # VIG cycles at different points (DEMO_CASEWORK below)
    ("000", "Peterborough", 60, 3, "Bethany Moss", "9990000166", {}, "allocate", 58, 55),
    ("000", "Peterborough", 120, 4, "Olivia Grant", "9990000174", {}, "allocate", 117, 113),
    ("000", "Peterborough", 45, 2, "Leah Brooks", "9990000182", {"sibling_age": 13}, "allocate", 43, 40),
    ("000", "Cambridgeshire", 30, 6, "Nadia Khan", "9990000190", {}, "allocate_supervisor", 28, 26),
    ("000", "Peterborough", 215, 2, "Zoe Fletcher", "9990000204", {}, "allocate", 212, 205),  # discharged
]

# Each family's VIG work (days before today). The practitioner phones the referrer ("liaison") and books the first
# visit; consent is given at that visit, and every filming and shared review happens at an attended visit on its day,
# with the next visit booked as each one ends. "cycles": each cycle's filming and review (None: not yet); clips are
# chosen and the footage recorded on the filming's day. "sibling": the older child is filmed with their own consent
# (filming only, not training). The helping question is rated 2/10 at consent and 8/10 at the last review once all
# planned cycles are done. "next": visits booked after the last one, (days from today, hour, activities) — in the
# past and so waiting to be recorded, or to come. "measures": EPDS at consent and, with the parent's feedback, at the
# end visit. "discharged": the day of the end visit, when the family is discharged (the footage clock starts).
DEMO_CASEWORK = {
    # consent only; liaison done, a filming visit booked for next week
    "Amira Hassan": {"liaison": 24, "consent": 20, "cycles": [], "next": [(7, 10, ["filming"])]},
    # mid cycle 2: clips chosen, review due; the filming visit attended, the review visit two days ago not yet recorded
    "Bethany Moss": {
        "liaison": 54,
        "consent": 50,
        "cycles": [(40, 33), (4, None)],
        "next": [(-2, 14, ["shared_review"])],
    },
    # all planned cycles done, the end visit still to come
    "Olivia Grant": {
        "liaison": 112,
        "consent": 108,
        "cycles": [(98, 91), (70, 63), (35, 28)],
        "next": [(5, 10, ["evaluation", "closing"])],
    },
    # cycle 1 reviewed, cycle 2's filming visit booked; a 13-year-old filmed too
    "Leah Brooks": {
        "liaison": 39,
        "consent": 35,
        "cycles": [(28, 21)],
        "sibling": True,
        "next": [(8, 14, ["filming"])],
    },
    # the trainee's: cycle 2 review overdue, its review visit booked in three days
    "Grace Okafor": {
        "liaison": 44,
        "consent": 42,
        "cycles": [(35, 28), (20, None)],
        "next": [(3, 11, ["shared_review"])],
    },
    # the supervisor's own family: cycle 1 filmed, its review visit booked
    "Nadia Khan": {"liaison": 25, "consent": 20, "cycles": [(6, None)], "next": [(2, 10, ["shared_review"])]},
    # three cycles, measures, discharged over three months ago: its footage is past its destruction date
    "Zoe Fletcher": {
        "liaison": 204,
        "consent": 200,
        "cycles": [(190, 183), (165, 158), (140, 133)],
        "measures": True,
        "discharged": 110,
    },
}
DEMO_CLIPS = [
    (12, 19, [1, 3], "Mum waits; baby looks up and smiles, and mum smiles back."),
    (95, 103, [2, 4], "Baby reaches for the cup; mum names it and hands it over."),
]
# EPDS answers by position (0–3 for each of the ten items; item 10, self-harm, scores 0 in both).
DEMO_EPDS = {"baseline": [1, 1, 1, 2, 2, 1, 2, 1, 2, 3], "end": [0, 1, 2, 1, 2, 2, 2, 2, 3, 3]}


@contextmanager
def _clock(moment: datetime):
    """Inside, Django's clock (`timezone.now`, and so `timezone.localdate`) reads `moment`: the real actions run as
    if on the day of the story, so every date they stamp (received, triaged, allocated, recorded, the history and
    the access log) and every date rule they check is that day's. Demo loading only; outside it, the real clock."""
    real = django_timezone.datetime

    class Real(type):
        def __instancecheck__(cls, value):  # `timezone.template_localtime` asks isinstance(value, datetime)
            return isinstance(value, real)

    class Frozen(real, metaclass=Real):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)

    django_timezone.datetime = Frozen  # `timezone.now` reads this module global
    try:
        if django_timezone.now() != moment:
            raise RuntimeError("The demo's clock could not be set: Django's timezone.now changed.")
        yield
    finally:
        django_timezone.datetime = real


def _replay(stories: list[Iterator[datetime]]) -> None:
    """Run the families' stories side by side in date order. Each story yields the moment of its next step and
    runs that step when resumed, so every step happens on its own day, after every earlier step of every family."""
    queue = []
    for order, story in enumerate(stories):
        moment = next(story, None)
        if moment is not None:
            heapq.heappush(queue, (moment, order, story))
    while queue:
        moment, order, story = heapq.heappop(queue)
        with _clock(moment):
            following = next(story, None)
        if following is not None:
            if following < moment:
                raise ValueError(f"A demo story goes back in time: {following} after {moment}")
            heapq.heappush(queue, (following, order, story))


@dataclass(frozen=True)
class _Calendar:
    """The story's days, counted back from the real moment the demo is loaded (never from the demo's clock)."""

    now: datetime

    @property
    def today(self) -> date:
        return django_timezone.localtime(self.now).date()

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """`days_ago` days before today at that local time (never later than now); negative: days from today."""
        moment = django_timezone.make_aware(datetime.combine(self.day(days_ago), time(hour, minute)))
        return min(moment, self.now) if days_ago >= 0 else moment


@transaction.atomic
def create_demo_referrals() -> int:
    """A handful of families at each step, each moved through dated history by the actions real work uses, on the
    day each step happened. Idempotent."""
    from referrals.models import Referral

    if Referral.objects.exists():
        return Referral.objects.count()
    staff = {u.username: u for u in User.objects.filter(username__in=["coordinator", *ALLOCATE_TO.values()])}
    calendar = _Calendar(django_timezone.now())
    _replay([_family_story(family, staff, calendar) for family in DEMO_FAMILIES])
    return len(DEMO_FAMILIES)


ALLOCATE_TO = {"allocate": "practitioner", "allocate_trainee": "trainee", "allocate_supervisor": "supervisor"}
POSTCODES = {"Peterborough": "PE1 2AB", "Cambridgeshire": "CB1 3CD", "Knowsley": "L36 0UB", "Sefton": "L30 5QH"}


def _referral_data(service, site_name, received, months, name, flags, today) -> tuple[dict, dict, list]:
    """The referral form's answers, the parent and any older child, as a referrer would give them."""
    child = (
        {
            "child_unborn": True,
            "child_name": "",
            "child_date_of_birth": None,
            "expected_delivery_date": today + relativedelta(months=2),
        }
        if months is None
        else {
            "child_unborn": False,
            "child_name": f"Baby {name.split()[1]}",
            "child_date_of_birth": received - relativedelta(months=months),
            "expected_delivery_date": None,
        }
    )
    data = {
        "site": service.sites.get(name=site_name),
        "date_received": received,
        "referral_source": service.referral_sources.first(),
        "referrer_name": "Helen Visitor",
        "referrer_role": "Health visitor",
        "referrer_organisation": service.organisation,
        "referrer_contact": "01632 960000",
        "child_nhs_number": "",
        "child_send": False,
        "child_send_details": "",
        "gp_practice": "Demo Surgery",
        "named_health_visitor": "Helen Visitor",
        "named_health_visitor_team": "Health visiting team",
        "named_health_visitor_address": "Child Health Clinic\n5 Clinic Way",
        "named_health_visitor_contact": "01632 960000",
        "concerns": ["bonding"],
        "reason_details": "",
        "attachment_concerns": "Finds it hard to read her baby's cues.",
        "mental_health_concerns": "Postnatal anxiety.",
        "hoped_for_change": "Enjoy time together.",
        "change_agreed_with_parent": "yes",
        "impact_on_child": "",
        "parent_consented_to_referral": True,
        "prfq_completed": False,
        "question_answers": {},
        "safeguarding_status": flags.get("safeguarding", "none_known"),
        "risks_to_staff": "Dog in the home" if flags.get("risks") else "",
        "confidential_address": flags.get("confidential", False),
        "bereavement": False,
        **child,
    }
    parent = {
        "name": name,
        "relationship": "Mother",
        "date_of_birth": received - relativedelta(years=29),
        "nhs_number": "",
        "address": "1 Demo Road",
        "postcode": POSTCODES[site_name],
        "phone": "07700 900000",
        "preferred_language": "Arabic" if flags.get("interpreter") else "English",
        "interpreter_needed": flags.get("interpreter", False),
        "communication_format": "",
        "communication_support": "",
        "ethnic_category": "Z",
    }
    older = []
    if flags.get("sibling_age"):
        older = [
            {
                "name": f"Jordan {name.split()[1]}",
                "date_of_birth": today - relativedelta(years=flags["sibling_age"], months=2),
                "consent_to_filming": "yes",
            }
        ]
    return data, parent, older


def _family_story(family: tuple, staff: dict, calendar: _Calendar) -> Iterator[datetime]:
    """One family from referral to where the demo leaves it: received, triaged, allocated, then its casework."""
    from referrals import actions

    seed_number, site_name, received_ago, months, name, number, flags, step, triaged_ago, allocated_ago = family
    today, _at = calendar.today, calendar.at
    service = Service.objects.get(slug=next(s["slug"] for s in SEED_SERVICES if s["seed"] == seed_number))
    received = today - timedelta(days=received_ago)
    data, parent, older = _referral_data(service, site_name, received, months, name, flags, today)
    parent["nhs_number"] = number
    coordinator = staff["coordinator"]
    yield _at(received_ago, 9, 30)
    referral = actions.create_referral(
        service=service, data=data, parents=[parent], other_children=older, by=coordinator
    )
    if step == "received":
        return
    yield _at(triaged_ago, 10)
    if step == "request_information":
        actions.triage_referral(
            referral=referral,
            decision="request_information",
            by=coordinator,
            missing_information="GP practice and named health visitor",
        )
        return
    referral.refresh_from_db()
    actions.triage_referral(
        referral=referral,
        decision="accept",
        by=coordinator,
        override_reason="" if referral.eligible else "Agreed with the referrer",
    )
    if step not in ALLOCATE_TO:
        return
    yield _at(allocated_ago, 11)
    allocation = actions.allocate_referral(referral=referral, practitioner=staff[ALLOCATE_TO[step]], by=coordinator)
    referral.refresh_from_db()  # now allocated
    if name in DEMO_CASEWORK:
        yield from _casework_story(referral, DEMO_CASEWORK[name], calendar, by=allocation.practitioner)


def _demo_consent(referral, *, given_on, people, items, by):
    """Written consent through `cycles.actions.record_consent`: each person agrees to `items` (and not the rest)."""
    from cycles import actions as cycle_actions
    from cycles.models import ConsentItem
    from referrals.models import Parent

    givers = [
        {"parent" if isinstance(who, Parent) else "other_child": who, "items": dict.fromkeys(items, True)}
        for who in people
    ]
    return cycle_actions.record_consent(
        referral=referral,
        given_on=given_on,
        givers=givers,
        written_agreement_given=True,
        sharing_with="The family's health visitor" if ConsentItem.SHARING_CLIPS in items else "",
        by=by,
    )


def _demo_helping_question(referral, *, text, by):
    """The family's first helping question, through `cycles.actions.add_helping_question`."""
    from cycles import actions as cycle_actions

    return cycle_actions.add_helping_question(referral=referral, text=text, by=by)


def _visits_of(plan: dict) -> list[tuple[int, str, int | None]]:
    """The family's attended visits, oldest first: (days ago, what it was for, cycle index)."""
    visits = [(plan["consent"], "consent", None)]
    for index, (filmed, reviewed) in enumerate(plan["cycles"]):
        visits.append((filmed, "filming", index))
        if reviewed is not None:
            visits.append((reviewed, "shared_review", index))
    if plan.get("discharged") is not None:
        visits.append((plan["discharged"], "measures", None))
    return visits


def _casework_story(referral, plan: dict, calendar: _Calendar, *, by) -> Iterator[datetime]:
    """Liaison, then each visit on its day: recorded as attended, its work (consent and the helping question, a
    filming with its clips and footage, a shared review, the end measures and discharge) recorded, the next visit
    booked. All through the cycle, outcome and discharge actions, like real work."""
    from cycles import actions as cycle_actions
    from cycles.models import ActivityKind, LiaisonMethod, VisitOutcome, VisitPlace

    today, _at = calendar.today, calendar.at
    parents, children = list(referral.parents.all()), list(referral.other_children.all())
    visits = _visits_of(plan)
    yield _at(plan["liaison"], 12)
    cycle_actions.record_liaison(
        referral=referral,
        contacted_on=today - timedelta(days=plan["liaison"]),
        method=LiaisonMethod.PHONE,
        summary="Told the health visitor the family is allocated and when the first visit is.",
        by=by,
    )
    kinds = {"consent": [ActivityKind.INTRODUCTION], "measures": [ActivityKind.EVALUATION, ActivityKind.CLOSING]}

    def book(days_ago: int, hour: int, activities: list[str]):
        return cycle_actions.book_visit(
            referral=referral,
            planned_at=_at(days_ago, hour),
            place=VisitPlace.HOME,
            activities=activities,
            by=by,
        )

    visit = book(visits[0][0], 10, kinds["consent"])
    question, cycles, clips, reviews = None, [], [], []
    for position, (days_ago, purpose, index) in enumerate(visits):
        yield _at(days_ago, 11, 15)
        day = today - timedelta(days=days_ago)
        cycle_actions.record_visit(
            visit=visit, outcome=VisitOutcome.ATTENDED, duration_minutes=60, present="Mother and baby", by=by
        )
        if purpose == "consent":
            question = _consent_story(referral, plan, day, parents, children, by=by)
            if plan.get("measures"):
                _demo_measure(referral, "epds", "baseline", day, DEMO_EPDS["baseline"], by=by)
        elif purpose == "filming":
            cycle = cycle_actions.start_cycle(referral=referral, by=by)
            cycles.append(cycle)
            clips.append(
                _filming_story(cycle, day, visit, question, parents, children if plan.get("sibling") else [], by=by)
            )
        elif purpose == "shared_review":
            cycle_actions.record_shared_review(
                cycle=cycles[index],
                reviewed_on=day,
                clips_watched=clips[index],
                parent_reflections="I can see how she watches my face and waits for me.",
                parent_learning="When I slow down and wait, she shows me what she wants.",
                next_focus="Waiting for her lead at bath time.",
                visit=visit,
                by=by,
            )
            reviews.append(day)
            if len(reviews) == len(plan["cycles"]) >= referral.service.planned_cycles:
                cycle_actions.rate_helping_question(question=question, point="end", rated_on=day, score=8, by=by)
        elif purpose == "measures":
            _end_story(referral, day, by=by)
        if position + 1 < len(visits):
            following, purpose, _ = visits[position + 1]
            visit = book(following, 10, kinds.get(purpose, [purpose]))
        else:
            for days, hour, activities in plan.get("next", []):
                book(-days, hour, activities)


def _consent_story(referral, plan, day, parents, children, *, by):
    """At the first visit: written consent (an older child's own, for filming), the helping question rated 2/10."""
    from cycles import actions as cycle_actions
    from cycles.models import ConsentItem

    _demo_consent(referral, given_on=day, people=parents, items=ConsentItem.values, by=by)
    if plan.get("sibling"):
        _demo_consent(referral, given_on=day, people=children, items=[ConsentItem.FILMING], by=by)
    question = _demo_helping_question(
        referral, text="What am I doing well that helps my baby and me enjoy being together?", by=by
    )
    cycle_actions.rate_helping_question(question=question, point="start", rated_on=day, score=2, by=by)
    return question


def _filming_story(cycle, day, visit, question, parents, children, *, by) -> list:
    """A filming at the visit, where its footage is kept, and the clips chosen from it; returns the clips."""
    from cycles import actions as cycle_actions

    filming = cycle_actions.record_filming(
        cycle=cycle,
        filmed_on=day,
        activity="play" if cycle.number % 2 else "feeding",
        filmed_parents=parents,
        filmed_children=children,
        length_seconds=420,
        visit=visit,
        by=by,
    )
    cycle_actions.record_footage(
        filming=filming,
        location="Service encrypted laptop",
        reference=f"VIG-{cycle.referral.reference}-{cycle.number}",
        by=by,
    )
    return [
        cycle_actions.add_clip(
            filming=filming,
            start_seconds=start,
            end_seconds=end,
            principles=principles,
            helping_question=question,
            description=description,
            by=by,
        )
        for start, end, principles, description in DEMO_CLIPS
    ]


def _demo_measure(referral, instrument, time_point, day, positions, *, by):
    """A questionnaire completed with the parent, through `outcomes.actions.record_measure` (answers by position)."""
    from outcomes import actions as outcome_actions

    answers = {str(n): value for n, value in enumerate(positions, start=1)}
    return outcome_actions.record_measure(
        referral=referral, instrument=instrument, time_point=time_point, completed_on=day, answers=answers, by=by
    )


def _end_story(referral, day, *, by) -> None:
    """The end visit: EPDS and the parent's feedback, then discharge (its letters drafted, the footage clock set)."""
    from discharge import actions as discharge_actions
    from discharge.models import DischargeReason

    _demo_measure(referral, "epds", "end", day, DEMO_EPDS["end"], by=by)
    feedback = [4, 4, 3, 4, 4, "Seeing the clips of us together.", "Nothing, thank you."]
    _demo_measure(referral, "feedback", "end", day, feedback, by=by)
    discharge_actions.discharge_family(
        referral=referral,
        discharged_on=day,
        reason=DischargeReason.COMPLETED,
        summary="Three cycles of VIG. Zoe now waits for her baby's lead and enjoys their play together.",
        did_well="Slowing down and waiting for her baby to show her what she wants.",
        letter_to_referrer_agreed=True,
        letter_to_health_visitor_agreed=True,
        by=by,
    )


@transaction.atomic
def load_demo_supervision_and_footage() -> int:
    """Yesterday's supervision session for the trainee's family, then this morning's daily sweeps: a notice for a
    visit not recorded, and for the discharged family's footage past its destruction date. Runs after the demo
    cycles exist (does nothing before, or if it ran already). Idempotent; returns the number of footage records."""
    from cycles import actions
    from cycles.actions.supervision import supervision_refusal
    from cycles.models import Cycle, Footage, SupervisionSession
    from cycles.overdue import raise_overdue_visit_notices

    if not Cycle.objects.exists() or SupervisionSession.objects.exists():
        return 0
    calendar = _Calendar(django_timezone.now())
    held_on = calendar.day(1)
    supervisor = User.objects.get(username="supervisor")
    trainee = Membership.objects.get(user__username="trainee", role=Role.PRACTITIONER)
    theirs = Cycle.objects.filter(
        referral__allocations__practitioner=trainee.user, referral__allocations__ended_at=None
    )
    reviewed = list(theirs.filter(shared_reviews__isnull=False).order_by("referral_id", "number"))
    # Only cycles whose filmed family members consent to viewing by the supervisor.
    cycles = [c for c in reviewed if not supervision_refusal(c, held_on)]
    with _clock(calendar.at(1, 15)):
        actions.record_supervision(
            trainee=trainee,
            held_on=held_on,
            duration_minutes=60,
            cycles=cycles,
            signed_off_cycle_ids=[c.pk for c in cycles[:1]],
            feedback="Lovely use of the pause: the clip of the mother waiting for her baby's reply shows it well.",
            by=supervisor,
        )
    # What the daily sweeps would have found this morning: Bethany Moss's unrecorded visit, Zoe Fletcher's footage.
    raise_overdue_visit_notices()
    actions.raise_overdue_footage_notices()
    return Footage.objects.count()
