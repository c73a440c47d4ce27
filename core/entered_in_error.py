"""Entered in error: nothing in a family's record is deleted; a wrong record is marked, with who, when and why.

NHS records practice and FHIR's `entered-in-error` status: the record stays (the history and the family's page show
it struck through) but it no longer counts. Every read that counts, limits, totals or drafts from casework asks for
`.in_force()`, so a marked record drops out of figures, letters and limits, and the place it held is freed (a
fourth helping question can be added after a duplicate is marked; a baseline can be recorded after a wrong one).

A casework model inherits `EnteredInError`, adds `paired_constraint(...)` to its constraints and says, as class
attributes, what a generic page and endpoint need: its URL name (`error_type`), how it is called (`error_label`),
who wrote it (`error_author_field`) and the path to its family (`error_family_path`). The action that marks a
record (`referrals.actions.entered_in_error`) and the rule who may (`accounts.permissions`) read only these.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.text import SafeTextField

REASON_MAX_LENGTH = 500


class InForceQuerySet(models.QuerySet):
    """Reads that count or show casework start here: `.in_force()` leaves out what was entered in error."""

    def in_force(self):
        return self.filter(entered_in_error_at__isnull=True)

    def entered_in_error(self):
        return self.filter(entered_in_error_at__isnull=False)


def in_force_q(path: str = "") -> Q:
    """The in-force condition from another model (`in_force_q("question")` on ratings): for filters and joins."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}entered_in_error_at__isnull": True})


def paired_constraint(prefix: str) -> models.CheckConstraint:
    """When, who and why are set together or not at all (the database keeps a mark from being half made)."""
    return models.CheckConstraint(
        condition=Q(entered_in_error_at__isnull=True, entered_in_error_by__isnull=True, entered_in_error_reason="")
        | (Q(entered_in_error_at__isnull=False, entered_in_error_by__isnull=False) & ~Q(entered_in_error_reason="")),
        name=f"{prefix}_entered_in_error_paired",
    )


class EnteredInError(models.Model):
    """A casework record that can be marked entered in error (see the module's docstring)."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = SafeTextField(max_length=REASON_MAX_LENGTH, blank=True)

    objects = InForceQuerySet.as_manager()

    error_type: str = ""  # in URLs: /entered-in-error/<error_type>/<id>/
    error_label: str = ""  # "helping question"
    error_author_field: str = "recorded_by"
    error_family_path: str | None = "referral"  # None: not one family's record (a supervision session)

    class Meta:
        abstract = True

    @property
    def entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    @property
    def error_author_id(self):
        return getattr(self, f"{self.error_author_field}_id")

    def error_family(self):
        """The family whose record this is (None for a record of several families)."""
        obj = self
        for step in (self.error_family_path or "").split("__"):
            if not step:
                return None
            obj = getattr(obj, step)
        return obj

    def error_families(self) -> list:
        """The families whose history records the mark (a supervision session: every family it discussed)."""
        family = self.error_family()
        return [family] if family is not None else []

    @classmethod
    def error_visible_to(cls, user):
        """The records of this type the user may open: those of the families they may see (the family model's own
        `visible_to`, found along `error_family_path`, so this layer names no app)."""
        family_model = cls
        for step in cls.error_family_path.split("__"):
            family_model = family_model._meta.get_field(step).related_model
        return cls.objects.filter(**{f"{cls.error_family_path}__in": family_model.objects.visible_to(user)})

    def error_return_url(self) -> str:
        """Where the page goes back to after marking: the family's record."""
        from django.urls import reverse

        return reverse("referrals:detail", kwargs={"pk": self.error_family().pk})

    def entered_in_error_refusal(self) -> str:
        """Why this record cannot be marked yet (a record that others still lean on), or ""."""
        return ""

    def undo_on_entered_in_error(self) -> dict:
        """Undo what this record did to others when it is marked (the marking action calls it inside its
        transaction); returns the history's {what: [old, new]}. Most records changed nothing else."""
        return {}

    def error_description(self) -> str:
        """What the struck-through line says: the record in a few words ("Filming of 3 Nov 2026")."""
        text = str(self)
        if text.lower().startswith(self.error_label.lower()):
            return text
        return f"{self.error_label.capitalize()}: {text}"


def correctable_models() -> dict[str, type[EnteredInError]]:
    """Every installed model that can be marked, by its `error_type` (the generic page and endpoint find them
    here, so no lower layer names a higher one's model)."""
    from django.apps import apps

    return {
        model.error_type: model for model in apps.get_models() if issubclass(model, EnteredInError) and model.error_type
    }
