"""Demo configuration and staff for `make run`. Never used outside demo mode and tests."""

from django.db import transaction

from accounts.models import (
    Membership,
    PractitionerDetails,
    ReferralQuestion,
    ReferralSource,
    Role,
    Service,
    Site,
    TrainingStageTarget,
    TrainingStatus,
    User,
)

from .seeds import SEED_SERVICES

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
        services.append(service)
    return services


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
    supervisor = User.objects.get(username="supervisor")
    for membership in Membership.objects.filter(role=Role.PRACTITIONER, user__in=users):
        trainee = membership.training_status == TrainingStatus.TRAINEE
        PractitionerDetails.objects.update_or_create(
            membership=membership,
            defaults={
                "capacity": 4 if trainee else 6,
                "protected_days": [1] if trainee else [2, 3],
                "supervisor": supervisor if trainee else None,
                "training_stage": 1 if trainee else None,
            },
        )
    return users
