"""Writes to staff accounts. Each takes the acting user, runs in one transaction and is logged."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import Perm, may_reset_second_factor, requires
from core.refusals import ActionRefused
from core.text import check_text_fields

from .audit import log_access
from .mfa import AUTHENTICATOR_DEVICE_NAME, RECOVERY_DEVICE_NAME
from .models import AccessAction, PractitionerDetails, Role, User

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """Begin enrolment with a fresh secret; an unfinished earlier attempt is thrown away."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str, request=None) -> list[str]:
    """Confirm the app works (the code matches), then issue recovery codes, shown to the user once."""
    if device.user_id != user.pk or device.confirmed:
        raise ActionRefused("This enrolment has expired. Start again.")
    if not device.verify_token(token.replace(" ", "")):
        raise ActionRefused("The code is not right. Check the time on your phone and enter the newest code.")
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = regenerate_recovery_codes(user=user)
    log_access(
        action=AccessAction.UPDATE, request=request, user=user, obj=user, detail={"change": "second factor enrolled"}
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """Replace all recovery codes; each works once, for when the phone is lost."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def end_sessions_of(user: User) -> int:
    """Sign a person out everywhere (their phone was lost: whoever holds it may hold a session too)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gte=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
@requires(may_reset_second_factor, on="user")
def reset_second_factor(*, user: User, by: User, request=None) -> None:
    """A service admin clears a colleague's devices (lost phone); they enrol again at next log-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    end_sessions_of(user)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=user, detail={"change": "second factor reset"})


def ensure_practitioner_details(*, membership) -> PractitionerDetails | None:
    """Give a practitioner membership its details at the defaults, however it was made (admin, shell, seed).

    Without them the practitioner showed "0/0" in candidate lists and every allocation to them needed an
    over-capacity reason. Called by the Membership post_save signal; not logged, as nobody decided anything.
    """
    if membership.role != Role.PRACTITIONER:
        return None
    details, _ = PractitionerDetails.objects.get_or_create(membership=membership)
    return details


@transaction.atomic
@requires(Perm.PRACTITIONER_MANAGE, on="membership")
def update_practitioner_details(*, membership, by: User, request=None, **fields):
    """Capacity, protected days, supervisor, training stage and pauses: what allocation decisions rest on.

    Pages call `referrals.actions.change_practitioner_details`, which also moves supervision of a trainee's
    current families; this part changes only staff data.
    """
    from .models import Membership

    if membership.role != Role.PRACTITIONER:
        raise ActionRefused("Only practitioners have capacity and protected days.")
    supervisor = fields.get("supervisor")
    if (
        supervisor is not None
        and not Membership.objects.active()
        .filter(user=supervisor, service_id=membership.service_id, role=Role.SUPERVISOR)
        .exists()
    ):
        raise ValidationError({"supervisor": "Choose a supervisor of this service"})
    if supervisor is not None and supervisor.pk == membership.user_id:
        raise ValidationError({"supervisor": "A practitioner cannot supervise themselves"})
    paused_from, paused_until = fields.get("paused_from"), fields.get("paused_until")
    if paused_until and not paused_from:
        raise ValidationError({"paused_from": "Enter when the pause starts"})
    if paused_from and paused_until and paused_until < paused_from:
        raise ValidationError({"paused_until": "The pause must end on or after the day it starts"})
    details, _ = PractitionerDetails.objects.get_or_create(membership=membership)
    for name, value in fields.items():
        setattr(details, name, value)
    check_text_fields(details)
    details.save()
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=details)
    return details
