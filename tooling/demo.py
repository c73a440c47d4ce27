"""Demo configuration and staff for `make run`. Never used outside demo mode and tests."""

from django.db import transaction

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
    from outcomes.models import MeasureConfig
    from referrals.models import EligibilityRule

    services = []
    for seed in SEED_SERVICES:
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
        service.eligibility_rules.all().delete()
        EligibilityRule.objects.bulk_create(
            EligibilityRule(service=service, kind=rule["kind"], params=rule["params"], order=order)
            for order, rule in enumerate(seed["eligibility"])
        )
        for order, measure in enumerate(seed.get("measures", [])):
            MeasureConfig.objects.update_or_create(
                service=service,
                instrument=measure["instrument"],
                defaults={"time_points": measure["time_points"], "order": order, "note": measure.get("note", "")},
            )
        _letter_contact(service, seed.get("letter_contact"))
        services.append(service)
    return services


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
    users = [admin]
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
            membership, _ = Membership.objects.update_or_create(
                user=user, service=service, role=role, defaults={"training_status": training}
            )
            membership.sites.set(Site.objects.filter(service=service, name__in=site_names))
        users.append(user)
    from referrals.actions import change_practitioner_details

    supervisor = User.objects.get(username="supervisor")
    for membership in Membership.objects.filter(role=Role.PRACTITIONER, user__in=users).select_related("service"):
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


# (service seed, site, days ago received, child months old or None for unborn, parent name, NHS number, flags, step)
DEMO_FAMILIES = [
    ("000", "Peterborough", 30, 3, "Amira Hassan", "9990000018", {"interpreter": True}, "allocate"),
    ("000", "Peterborough", 21, None, "Chloe Barker", "9990000026", {}, "accept"),
    (
        "000",
        "Cambridgeshire",
        50,
        5,
        "Grace Okafor",
        "9990000034",
        {"safeguarding": "child_in_need"},
        "allocate_trainee",
    ),
    ("000", "Cambridgeshire", 9, 14, "Laura Quinn", "9990000042", {}, "received"),
    ("000", "Peterborough", 6, 7, "Sophie Turner", "9990000050", {"confidential": True}, "request_information"),
    ("000", "Peterborough", 2, 1, "Hannah Price", "9990000069", {}, "received"),
    ("004", "Knowsley", 15, 2, "Megan Doyle", "9990000077", {}, "received"),
    ("004", "Sefton", 4, 4, "Ruth Edwards", "9990000085", {"risks": True}, "accept"),
    # VIG cycles at different points (DEMO_CASEWORK below)
    ("000", "Peterborough", 60, 3, "Bethany Moss", "9990000166", {}, "allocate"),
    ("000", "Peterborough", 120, 4, "Olivia Grant", "9990000174", {}, "allocate"),
    ("000", "Peterborough", 45, 2, "Leah Brooks", "9990000182", {"sibling_age": 13}, "allocate"),
    ("000", "Cambridgeshire", 30, 6, "Nadia Khan", "9990000190", {}, "allocate_supervisor"),
]

# Each family's VIG work, by the parent's name, in days before today: consent, then each cycle's filming and review
# (None: not yet). Clips are chosen for every filmed cycle. "sibling": the older child is filmed with their own
# consent (filming only, not training). Every family's helping question is rated 2/10 at consent, and 8/10 at the
# last review once all planned cycles are done. "visits": (days from today, hour, activities, outcome or "" for
# not recorded yet) booked through the visit actions; "liaison": days ago the referrer was phoned.
DEMO_CASEWORK = {
    # consent only; liaison done, a filming visit planned next week
    "Amira Hassan": {"consent": 20, "cycles": [], "liaison": 25, "visits": [(7, 10, ["filming"], "")]},
    # mid cycle 2: clips chosen, review due; the filming visit attended, last week's review visit not yet recorded
    "Bethany Moss": {
        "consent": 50,
        "cycles": [(40, 33), (4, None)],
        "visits": [(-4, 10, ["filming"], "attended"), (-2, 14, ["shared_review"], "")],
    },
    "Olivia Grant": {"consent": 110, "cycles": [(100, 93), (86, 79), (72, 65)]},  # all planned cycles done
    "Leah Brooks": {"consent": 35, "cycles": [(28, 21)], "sibling": True},  # a 13-year-old filmed too
    # the trainee's: cycle 2 review overdue, its review visit booked in three days
    "Grace Okafor": {"consent": 45, "cycles": [(35, 28), (20, None)], "visits": [(3, 11, ["shared_review"], "")]},
    "Nadia Khan": {"consent": 20, "cycles": [(6, None)]},  # the supervisor's own family, cycle 1 filmed
}
DEMO_CLIPS = [
    (12, 19, [1, 3], "Mum waits; baby looks up and smiles, and mum smiles back."),
    (95, 103, [2, 4], "Baby reaches for the cup; mum names it and hands it over."),
]


@transaction.atomic
def create_demo_referrals() -> int:
    """A handful of families at each step, made through the actions like real work. Idempotent."""
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from referrals import actions
    from referrals.models import Referral

    if Referral.objects.exists():
        return Referral.objects.count()
    coordinator = User.objects.get(username="coordinator")
    practitioner, trainee = User.objects.get(username="practitioner"), User.objects.get(username="trainee")
    today = timezone.localdate()
    postcodes = {"Peterborough": "PE1 2AB", "Cambridgeshire": "CB1 3CD", "Knowsley": "L36 0UB", "Sefton": "L30 5QH"}
    for seed_number, site_name, days_ago, months, name, number, flags, step in DEMO_FAMILIES:
        service = Service.objects.get(slug=next(s["slug"] for s in SEED_SERVICES if s["seed"] == seed_number))
        received = today - timedelta(days=days_ago)
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
            "named_health_visitor_team": f"{site_name} health visiting team",
            "named_health_visitor_address": f"{site_name} Child Health Clinic\n5 Clinic Way\n{site_name}",
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
            "nhs_number": number,
            "address": "1 Demo Road",
            "postcode": postcodes[site_name],
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
        referral = actions.create_referral(
            service=service, data=data, parents=[parent], other_children=older, by=coordinator
        )
        _advance_demo_referral(referral, step, coordinator, practitioner, trainee)
        if name in DEMO_CASEWORK:
            _demo_casework(referral, DEMO_CASEWORK[name])
    return len(DEMO_FAMILIES)


def _advance_demo_referral(referral, step, coordinator, practitioner, trainee) -> None:
    from referrals import actions

    if step == "received":
        return
    if step == "request_information":
        actions.triage_referral(
            referral=referral,
            decision="request_information",
            by=coordinator,
            missing_information="GP practice and named health visitor",
        )
        return
    actions.triage_referral(
        referral=referral,
        decision="accept",
        by=coordinator,
        override_reason="" if referral.eligible else "Agreed with the referrer",
    )
    if step == "allocate":
        actions.allocate_referral(referral=referral, practitioner=practitioner, by=coordinator)
    elif step == "allocate_trainee":
        actions.allocate_referral(referral=referral, practitioner=trainee, by=coordinator)
    elif step == "allocate_supervisor":
        supervisor = User.objects.get(username="supervisor")
        actions.allocate_referral(referral=referral, practitioner=supervisor, by=coordinator)


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


def _demo_casework(referral, plan: dict) -> None:
    """Consent, a helping question and the family's cycles, through the cycle actions like real work."""
    from datetime import timedelta

    from django.utils import timezone

    from cycles import actions as cycle_actions
    from cycles.models import ConsentItem

    today = timezone.localdate()
    referral.refresh_from_db()  # the referral actions moved it on to "allocated"
    by = referral.allocations.get(ended_at__isnull=True).practitioner
    parents, children = list(referral.parents.all()), list(referral.other_children.all())
    given_on = today - timedelta(days=plan["consent"])
    _demo_consent(referral, given_on=given_on, people=parents, items=ConsentItem.values, by=by)
    if plan.get("sibling"):
        _demo_consent(referral, given_on=given_on, people=children, items=[ConsentItem.FILMING], by=by)
    question = _demo_helping_question(
        referral, text="What am I doing well that helps my baby and me enjoy being together?", by=by
    )
    cycle_actions.rate_helping_question(question=question, point="start", rated_on=given_on, score=2, by=by)
    for filmed, reviewed in plan["cycles"]:
        cycle = cycle_actions.start_cycle(referral=referral, by=by)
        filming = cycle_actions.record_filming(
            cycle=cycle,
            filmed_on=today - timedelta(days=filmed),
            activity="play" if cycle.number % 2 else "feeding",
            filmed_parents=parents,
            filmed_children=children if plan.get("sibling") else [],
            length_seconds=420,
            by=by,
        )
        clips = [
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
        if reviewed is not None:
            cycle_actions.record_shared_review(
                cycle=cycle,
                reviewed_on=today - timedelta(days=reviewed),
                clips_watched=clips,
                parent_reflections="I can see how she watches my face and waits for me.",
                parent_learning="When I slow down and wait, she shows me what she wants.",
                next_focus="Waiting for her lead at bath time.",
                by=by,
            )
    reviews = [reviewed for _, reviewed in plan["cycles"] if reviewed is not None]
    if plan["cycles"] and len(reviews) == len(plan["cycles"]) >= referral.service.planned_cycles:
        cycle_actions.rate_helping_question(
            question=question, point="end", rated_on=today - timedelta(days=min(reviews)), score=8, by=by
        )
    _demo_visits(referral, plan.get("visits", []), plan.get("liaison"), by=by)


def _demo_visits(referral, visits: list[tuple], liaison: int | None, *, by) -> None:
    """Visits booked (and some recorded) and the liaison with the referrer, through the visit actions."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from cycles import actions as cycle_actions
    from cycles.models import LiaisonMethod, VisitOutcome, VisitPlace

    today = timezone.localdate()
    for days, hour, activities, outcome in visits:
        planned_at = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))
        visit = cycle_actions.book_visit(
            referral=referral, planned_at=planned_at, place=VisitPlace.HOME, activities=activities, by=by
        )
        if outcome == VisitOutcome.ATTENDED:
            cycle_actions.record_visit(
                visit=visit, outcome=outcome, duration_minutes=60, present="Mother and baby", by=by
            )
    if liaison is not None:
        cycle_actions.record_liaison(
            referral=referral,
            contacted_on=today - timedelta(days=liaison),
            method=LiaisonMethod.PHONE,
            summary="Told the health visitor the family is allocated and when the first visit is.",
            by=by,
        )


@transaction.atomic
def load_demo_supervision_and_footage() -> int:
    """A supervision session for the trainee's family and footage records, one past its destruction date so its
    notice shows. Runs after the demo cycles exist (does nothing before, or if it ran already). Idempotent."""
    from datetime import timedelta

    from django.utils import timezone

    from cycles import actions
    from cycles.actions.supervision import supervision_refusal
    from cycles.models import Cycle, Filming, Footage, SupervisionSession

    if not Cycle.objects.exists() or SupervisionSession.objects.exists():
        return 0
    today = timezone.localdate()
    supervisor, coordinator = User.objects.get(username="supervisor"), User.objects.get(username="coordinator")
    trainee = Membership.objects.get(user__username="trainee", role=Role.PRACTITIONER)
    theirs = Cycle.objects.filter(
        referral__allocations__practitioner=trainee.user, referral__allocations__ended_at=None
    )
    reviewed = list(theirs.filter(shared_reviews__isnull=False).order_by("referral_id", "number"))
    # Only cycles whose filmed family members consent to viewing by the supervisor.
    cycles = [c for c in reviewed if not supervision_refusal(c, today - timedelta(days=1))]
    actions.record_supervision(
        trainee=trainee,
        held_on=today - timedelta(days=1),
        duration_minutes=60,
        cycles=cycles,
        signed_off_cycle_ids=[c.pk for c in cycles[:1]],
        feedback="Lovely use of the pause: the clip of the mother waiting for her baby's reply shows it well.",
        by=supervisor,
    )
    filmings = Filming.objects.filter(footage__isnull=True).select_related("cycle__referral").order_by("pk")
    families = set()
    for filming in filmings:
        allocation = filming.cycle.referral.allocations.filter(ended_at=None).first()
        if allocation is None:
            continue
        actions.record_footage(
            filming=filming,
            location="Service encrypted laptop",
            reference=f"VIG-{filming.cycle.referral.reference}-{filming.cycle.number}",
            by=allocation.practitioner,
        )
        families.add(filming.cycle.referral)
    if families:
        overdue = min(families, key=lambda r: r.pk)
        actions.set_footage_destruction_dates(
            referral=overdue, involvement_ended_on=today - timedelta(days=75), by=coordinator
        )
        actions.raise_overdue_footage_notices()
    return Footage.objects.count()
