from django.apps import AppConfig


class InteropConfig(AppConfig):
    """FHIR R4: referrals in as Bundles, letters out as DocumentReferences (ADR 0029)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interop"
    verbose_name = "FHIR interoperability"
