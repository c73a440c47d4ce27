"""The footage of each filming: where it is held, the family's copy, when it must be destroyed and that it was.

The app stores no video. The destruction date comes from the service's policy (`CyclePolicy.footage_keep_months`
after the end of involvement) and is set at discharge (`set_footage_destruction_dates`); until then pages show
"Set at discharge". A daily beat task (`cycles.tasks.flag_overdue_footage`) calls `raise_overdue_footage_notices`.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import AccessAction, Membership, Role, Service, User
from accounts.permissions import Perm, requires
from core.prepared import prepared
from core.refusals import ActionRefused
from core.text import check_text_fields
from notices.actions import raise_notice
from notices.escalation import system_user
from notices.models import NoticeKind
from referrals.history import diff, plain, record_change
from referrals.models import Referral

from ..models import CyclePolicy, FamilyCopy, Filming, Footage
from ..sections import footage_destruction_refusal

DEFAULT_KEEP_MONTHS = CyclePolicy._meta.get_field("footage_keep_months").default
FOOTAGE_FIELDS = ["location", "reference", "family_copy", "family_copy_how", "family_copy_on"]


def keep_months(service: Service) -> int:
    """The service's footage policy, or the default (2 months) when it has none. Read with SQL compiled once per
    process (`core.prepared`): every look at a family's record shows it."""
    months = _policy_months(service.pk)
    return months[0] if months else DEFAULT_KEEP_MONTHS


@prepared()
def _policy_months(service_id):
    return (
        CyclePolicy.objects.filter(service_id=service_id)
        .order_by("pk")
        .values_list("footage_keep_months", flat=True)[:1]
    )


def _check_family_copy(*, filming: Filming, family_copy: str, family_copy_on: date | None) -> None:
    errors = {}
    if family_copy not in FamilyCopy.values:
        errors["family_copy"] = "Choose whether the family has its copy of the clips"
    elif family_copy == FamilyCopy.GIVEN and family_copy_on is None:
        errors["family_copy_on"] = "Enter the date the family received its copy"
    elif family_copy != FamilyCopy.GIVEN and family_copy_on is not None:
        errors["family_copy_on"] = "Give a date only when the family received its copy"
    elif family_copy_on is not None and family_copy_on > timezone.localdate():
        errors["family_copy_on"] = "The date the family received its copy cannot be in the future"
    elif family_copy_on is not None and family_copy_on < filming.filmed_on:
        errors["family_copy_on"] = "The family cannot have received its copy before the filming"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="filming.cycle.referral")
def record_footage(
    *,
    filming: Filming,
    location: str,
    reference: str = "",
    family_copy: str = FamilyCopy.NOT_YET,
    family_copy_how: str = "",
    family_copy_on: date | None = None,
    by: User,
    request=None,
) -> Footage:
    """Record (or correct) where a filming's footage is held and whether the family has its copy of the clips.

    The practitioner of the family records it. Destroyed footage is not changed. Footage recorded after the family's
    destruction date was set takes the same date.
    """
    referral = filming.cycle.referral
    if not location.strip():
        raise ValidationError({"location": "Enter where the footage is held"})
    _check_family_copy(filming=filming, family_copy=family_copy, family_copy_on=family_copy_on)
    footage = Footage.objects.select_for_update().filter(filming=filming).first()
    if footage is not None and footage.destroyed_on is not None:
        raise ActionRefused("This footage was destroyed: its record can no longer be changed.")
    before = {f: plain(getattr(footage, f)) for f in FOOTAGE_FIELDS} if footage else {}
    if footage is None:
        footage = Footage(filming=filming)
        siblings = Footage.objects.filter(filming__cycle__referral=referral).aggregate(latest=Max("destroy_by"))
        footage.destroy_by = siblings["latest"]
    values = {
        "location": location.strip(),
        "reference": reference.strip(),
        "family_copy": family_copy,
        "family_copy_how": family_copy_how.strip(),
        "family_copy_on": family_copy_on,
    }
    for field, value in values.items():
        setattr(footage, field, value)
    check_text_fields(footage)
    created = footage.pk is None
    footage.save()
    record_change(
        referral=referral,
        by=by,
        kind="footage_recorded" if created else "footage_updated",
        summary=f"Footage of cycle {filming.cycle.number} {'recorded' if created else 'updated'}",
        changes=diff(before, {f: plain(v) for f, v in values.items()}),
        request=request,
        obj=footage,
        access=AccessAction.CREATE if created else AccessAction.UPDATE,
    )
    return footage


@transaction.atomic
@requires(Perm.FOOTAGE_DESTRUCTION_CONFIRM, on="referral")
def set_footage_destruction_dates(
    *, referral: Referral, involvement_ended_on: date, by: User, request=None
) -> list[Footage]:
    """At discharge: every not-yet-destroyed footage of the family must be destroyed by the end of involvement plus
    the service's `footage_keep_months`. Called by the discharge action; returns the footage changed."""
    if involvement_ended_on > timezone.localdate():
        raise ValidationError({"involvement_ended_on": "The end of involvement cannot be in the future"})
    destroy_by = involvement_ended_on + relativedelta(months=keep_months(referral.service))
    footage = list(
        Footage.objects.select_for_update()
        .filter(filming__cycle__referral=referral, destroyed_on__isnull=True)
        .select_related("filming__cycle")
    )
    for item in footage:
        item.destroy_by = destroy_by
    Footage.objects.bulk_update(footage, ["destroy_by"])
    if footage:
        record_change(
            referral=referral,
            by=by,
            kind="footage_destruction_dates_set",
            summary=f"Footage destruction date set: destroy by {destroy_by:%-d %B %Y}",
            changes={"destroy by": [None, destroy_by.isoformat()], "footage": [None, len(footage)]},
            request=request,
        )
    return footage


@transaction.atomic
@requires(Perm.FOOTAGE_DESTRUCTION_CONFIRM, on="footage.filming.cycle.referral")
def confirm_footage_destroyed(*, footage: Footage, destroyed_on: date, by: User, request=None) -> Footage:
    """Confirm that the footage was destroyed, on which date and by whom (the practitioner or a coordinator)."""
    footage = (
        Footage.objects.select_for_update(of=("self",)).select_related("filming__cycle__referral").get(pk=footage.pk)
    )
    referral = footage.filming.cycle.referral
    if footage.destroyed_on is not None:
        raise ActionRefused(f"This footage's destruction was already confirmed ({footage.destroyed_on:%-d %B %Y}).")
    refusal = footage_destruction_refusal(footage)
    if refusal:
        raise ActionRefused(refusal)
    if destroyed_on > timezone.localdate():
        raise ValidationError({"destroyed_on": "The date of destruction cannot be in the future"})
    if destroyed_on < footage.filming.filmed_on:
        raise ValidationError({"destroyed_on": "The footage cannot have been destroyed before it was filmed"})
    footage.destroyed_on, footage.destruction_confirmed_by = destroyed_on, by
    footage.save(update_fields=["destroyed_on", "destruction_confirmed_by", "updated_at"])
    record_change(
        referral=referral,
        by=by,
        kind="footage_destroyed",
        summary=f"Footage of cycle {footage.filming.cycle.number} destroyed: confirmed",
        changes={"destroyed on": [None, destroyed_on.isoformat()]},
        request=request,
        obj=footage,
    )
    return footage


@transaction.atomic
def record_footage_destroyed_by_vault(*, footage: Footage, destroyed_on: date, request=None) -> Footage:
    """The film vault destroyed this footage by itself on its destruction date (its daily task, for services that
    do not ask for two people): recorded with no person named, `destroyed_by_vault` set, and in the family's
    history under the service's automatic account (it cannot sign in). Called only by `vault.actions` once the
    film's objects are deleted; a footage already recorded destroyed is left as it is."""
    footage = (
        Footage.objects.select_for_update(of=("self",)).select_related("filming__cycle__referral").get(pk=footage.pk)
    )
    if footage.destroyed_on is not None:
        return footage
    footage.destroyed_on, footage.destroyed_by_vault = destroyed_on, True
    footage.save(update_fields=["destroyed_on", "destroyed_by_vault", "updated_at"])
    record_change(
        referral=footage.filming.cycle.referral,
        by=system_user(),
        kind="footage_destroyed",
        summary=f"Footage of cycle {footage.filming.cycle.number} destroyed by the vault on its destruction date",
        changes={"destroyed on": [None, destroyed_on.isoformat()]},
        request=request,
        obj=footage,
    )
    return footage


# ---------------------------------------------------------------------------------------------------------------
# The daily sweep
# ---------------------------------------------------------------------------------------------------------------


def _coordinators_by_service(service_ids) -> dict[int, list[tuple[User, frozenset]]]:
    """Active coordinators of each service, with the sites their membership is limited to (empty: all)."""
    found: dict[int, list[tuple[User, frozenset]]] = {}
    memberships = (
        Membership.objects.active()
        .filter(service_id__in=service_ids, role=Role.COORDINATOR, user__is_active=True)
        .select_related("user")
        .prefetch_related("sites")
    )
    for membership in memberships:
        sites = frozenset(site.pk for site in membership.sites.all())
        found.setdefault(membership.service_id, []).append((membership.user, sites))
    return found


def _practitioner(referral: Referral):
    """The family's allocated practitioner, or the last one if the family is no longer allocated."""
    allocations = list(referral.allocations.all())
    active = [a for a in allocations if a.ended_at is None]
    if active:
        return active[0].practitioner
    return max(allocations, key=lambda a: (a.allocated_at, a.pk)).practitioner if allocations else None


def raise_overdue_footage_notices(*, today: date | None = None) -> int:
    """Put a notice on the home page of the family's practitioner (or the last one) and of the service's
    coordinators covering the family's site, for each footage past its destruction date and not confirmed destroyed.

    Idempotent: `raise_notice` keeps one open notice per person and footage. Returns the notices now open about
    overdue footage that this run looked at (new or already there).
    """
    overdue = list(
        Footage.objects.past_destruction_date(today)
        .select_related("filming__cycle__referral")
        .prefetch_related("filming__cycle__referral__allocations__practitioner")
        .order_by("destroy_by", "pk")
    )
    coordinators = _coordinators_by_service({f.filming.cycle.referral.service_id for f in overdue})
    raised = 0
    for footage in overdue:
        summary = (
            f"Footage of cycle {footage.filming.cycle.number} for {footage.filming.cycle.referral.reference} was due "
            f"for destruction by {footage.destroy_by:%-d %B %Y}. Destroy it and confirm on the family's record."
        )
        raised += notify_about_footage(footage, summary, coordinators=coordinators)
    return raised


def notify_about_footage(footage: Footage, summary: str, *, coordinators: dict | None = None) -> int:
    """A FOOTAGE_OVERDUE notice about this footage to the family's practitioner (or the last one) and the service's
    coordinators covering the family's site (one open notice each: idempotent). Also raised by the film vault's
    daily task for a film that needs two people or that it failed to destroy. Returns the notices now open."""
    referral = footage.filming.cycle.referral
    if coordinators is None:
        coordinators = _coordinators_by_service({referral.service_id})
    recipients = {}
    practitioner = _practitioner(referral)
    if practitioner is not None and practitioner.is_active:
        recipients[practitioner.pk] = practitioner
    for user, sites in coordinators.get(referral.service_id, []):
        if not sites or referral.site_id in sites:
            recipients[user.pk] = user
    for recipient in recipients.values():
        raise_notice(
            recipient=recipient, kind=NoticeKind.FOOTAGE_OVERDUE, summary=summary, referral=referral, obj=footage
        )
    return len(recipients)
