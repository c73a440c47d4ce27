"""What the FHIR endpoint keeps: one receipt per referral received as a Bundle, keyed by the sender's identifier.

The receipt is what makes the same Bundle sent twice one referral (ADR 0029): its key is the Bundle's identifier
(or the ServiceRequest's), unique per service, written in the same transaction as the referral.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Service
from core.text import SafeCharField
from referrals.models import Referral


class ReferralReceipt(models.Model):
    """A Bundle that made a referral: the sender's identifier, a hash of what they sent, and the referral."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    identifier_system = SafeCharField(max_length=255)
    identifier_value = SafeCharField(max_length=255)
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the Bundle as sent (canonical JSON).")
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="fhir_receipt")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "identifier_system", "identifier_value"], name="fhir_receipt_one_per_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier_system}|{self.identifier_value} → {self.referral_id}"
