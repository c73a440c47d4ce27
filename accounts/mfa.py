"""Reading a user's second-factor devices (TOTP app and single-use recovery codes)."""

import base64
import io

import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_DEVICE_NAME = "recovery codes"
AUTHENTICATOR_DEVICE_NAME = "authenticator app"


def has_confirmed_device(user) -> bool:
    """True once the user has finished enrolling an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice | None:
    """An enrolment started but not yet confirmed, reused so a reload keeps the same QR code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as people type it into an authenticator app."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_code_data_uri(device: TOTPDevice) -> str:
    """An SVG QR code as a data: URI (allowed by our CSP; no request leaves the page)."""
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()


def recovery_codes_left(user) -> int:
    """How many single-use codes remain, so people are warned before they run out."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    return device.token_set.count() if device else 0


def issuer() -> str:
    """The name shown in authenticator apps next to the account."""
    return settings.OTP_TOTP_ISSUER
