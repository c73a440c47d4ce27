"""Outcome measures: what each service uses (`MeasureConfig`), the licensed wording it entered
(`InstrumentWording`), and each completed questionnaire (`Measure`).

The instruments themselves are data files (`outcomes/definitions.py` says why). A measure keeps the answers as
option positions, the instrument's version and the full result the engine gave when it was saved. A completed
measure is never edited: a correction is a new row pointing at the one it corrects, with a reason, and the
original (answers and score) stays.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Service
from accounts.permissions import Perm
from core.entered_in_error import EnteredInError, InForceQuerySet, in_force_q, paired_constraint
from core.text import NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from cycles.models import backdated_reason_field
from referrals.models import Referral

from . import definitions

USER = settings.AUTH_USER_MODEL


class TimePoint(models.TextChoices):
    BASELINE = "baseline", "Baseline (start)"
    MID = "mid", "Mid-point"
    END = "end", "End"
    FOLLOW_UP = "follow_up", "Follow-up"


TIME_POINT_ORDER = {value: index for index, value in enumerate(TimePoint.values)}


class NotScoredReason(models.TextChoices):
    """Why a questionnaire the scoring rule cannot score was kept anyway (issue 18: a blank one is never silent)."""

    DECLINED = "declined", "The parent declined to complete it"
    STOPPED_EARLY = "stopped_early", "The parent stopped part way through"
    OTHER = "other", "Another reason"


class RiskResponse(models.TextChoices):
    """What happened with a risk question (EPDS item 10, PHQ-9 item 9, CORE-10 item 6)."""

    ASKED_IN_PERSON = "asked_in_person", "I asked it in person and recorded the answer"
    DECLINED = "declined", "The parent declined to answer it"


def instrument_choices():
    return definitions.choices()


class MeasureConfig(models.Model):
    """One measure a service uses, and at which time points (ADR 0008: outcomes owns these settings)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="measure_configs")
    instrument = models.CharField(max_length=20, choices=instrument_choices)
    time_points = models.JSONField(default=list, help_text="Any of: baseline, mid, end, follow_up.")
    order = models.PositiveSmallIntegerField(default=0)
    note = SafeCharField(max_length=200, blank=True, help_text="For example: completed before referral.")
    threshold_set = models.CharField(
        max_length=10, blank=True, help_text="PBQ only: 2006 (default) or 2001 thresholds for scales 2 and 4."
    )
    reliable_change_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Only where the published value is marked configurable (low or medium confidence). "
        "Blank: the published value.",
    )

    class Meta:
        ordering = ["service_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["service", "instrument"], name="one_config_per_measure")]

    def __str__(self) -> str:
        return f"{definitions.get(self.instrument)} ({', '.join(self.time_points)})"

    def clean(self):
        bad = [p for p in self.time_points or [] if p not in TimePoint.values]
        if bad or not self.time_points:
            raise ValidationError({"time_points": f"Choose from {', '.join(TimePoint.values)}"})
        instrument = definitions.get(self.instrument)
        if self.threshold_set and self.threshold_set not in instrument.threshold_sets.get("choices", {}):
            raise ValidationError({"threshold_set": f"{instrument} has no threshold set {self.threshold_set}"})
        primary = instrument.primary
        if self.reliable_change_threshold is not None and not (
            primary and primary.reliable_change and primary.reliable_change.configurable
        ):
            raise ValidationError({"reliable_change_threshold": f"{instrument}'s reliable change is not configurable"})

    @property
    def definition(self):
        return definitions.get(self.instrument)

    @property
    def time_point_labels(self) -> list[str]:
        return [TimePoint(p).label for p in self.time_points if p in TimePoint.values]


class InstrumentWording(models.Model):
    """Wording a service holds a licence for (EPDS, WEMWBS, KPCS, PRFQ…), entered by its administrator.

    The form then shows it instead of the neutral "Item 1" labels. Each line of `items_text` is one item, in order;
    `options_text` has one line per item with its options top to bottom separated by "|" (or one line for all).
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="instrument_wordings")
    instrument = models.CharField(max_length=20, choices=instrument_choices)
    stem = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True, help_text="The instructions printed above the items.")
    items_text = SafeTextField(max_length=20000, help_text="One item per line, in the printed order, unaltered.")
    options_text = SafeTextField(
        max_length=20000,
        blank=True,
        help_text="One line per item: its options top to bottom separated by |. One line alone applies to every item.",
    )
    copyright_notice = SafeCharField(max_length=300, blank=True, help_text="Shown under the form.")
    licence_note = SafeCharField(
        max_length=300, help_text="How the service holds the licence, e.g. 'Registered with Warwick, 3 March 2026'."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "instrument"], name="one_wording_per_instrument")]

    def __str__(self) -> str:
        return f"Wording of {definitions.get(self.instrument)}"

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.items_text.splitlines() if line.strip()]

    def option_lines(self) -> list[list[str]]:
        return [[o.strip() for o in line.split("|")] for line in self.options_text.splitlines() if line.strip()]

    def clean(self):
        instrument = definitions.get(self.instrument)
        items, options = self.item_lines(), self.option_lines()
        if len(items) != len(instrument.items):
            raise ValidationError({"items_text": f"{instrument} has {len(instrument.items)} items: one per line"})
        if options and len(options) not in (1, len(instrument.items)):
            raise ValidationError({"options_text": f"One line for every item, or {len(instrument.items)} lines"})
        lines = options * len(instrument.items) if len(options) == 1 else options
        for item, line in zip(instrument.items, lines, strict=False):
            if item.kind == "choice" and len(line) < len(item.scores) - len(item.special_labels):
                raise ValidationError({"options_text": f"Item {item.number} has {len(item.scores)} options"})


class MeasureQuerySet(InForceQuerySet):
    def current(self):
        """Measures in force: not replaced by a correction, not entered in error."""
        return self.filter(superseded_at__isnull=True).in_force()

    def scored(self):
        """Current measures that have a score: the ones figures, baselines and ends count. A measure kept as "not
        scored" (with its reason) stays in the family's record but never stands in for a baseline or an end."""
        return self.current().filter(not_scored_reason="")

    def visible_to(self, user, perm: Perm = Perm.REFERRAL_VIEW):
        return self.filter(referral__in=Referral.objects.visible_to(user, perm))

    def with_details(self):
        """Everything a measure page and its permission checks read, in fixed queries."""
        from referrals.models import Allocation

        return self.select_related("recorded_by", "referral", "referral__service", "referral__site").prefetch_related(
            models.Prefetch(
                "referral__allocations", queryset=Allocation.objects.with_holding().select_related("practitioner")
            )
        )


class Measure(EnteredInError):
    """One completed questionnaire: the answers, the time point and date, and the score it got when saved.

    A correction replaces a measure (the family did complete it; a value was wrong); entered in error withdraws one
    that should not be there at all (the wrong family, a duplicate), and frees its time point.
    """

    error_type, error_label = "measure", "outcome measure"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="outcome_measures")
    instrument = models.CharField(max_length=20, choices=instrument_choices)
    instrument_version = models.CharField(max_length=100)
    time_point = models.CharField(max_length=10, choices=TimePoint.choices)
    completed_on = models.DateField()
    backdated_reason = backdated_reason_field()
    answers = models.JSONField(help_text="Option positions (0 = top of the printed list) by item; text for text items.")
    result = models.JSONField(help_text="The engine's result when saved: every scale, band, and risk answers.")
    primary_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    risk_flagged = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    correction_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    not_scored_reason = models.CharField(
        max_length=20,
        choices=NotScoredReason.choices,
        blank=True,
        help_text="Set when the instrument's missing-item rule cannot score it: the measure is kept, not counted.",
    )
    not_scored_note = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    risk_responses = models.JSONField(
        default=dict,
        blank=True,
        help_text="Risk item number → what happened (asked_in_person or declined), where the practitioner said.",
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "completed_on", "pk"]
        indexes = [
            models.Index(fields=["referral", "instrument", "time_point"], name="measure_family_point"),
            models.Index(
                fields=["instrument", "time_point"], condition=Q(superseded_at__isnull=True), name="measure_current"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, correction_reason="")
                | (Q(corrects__isnull=False) & ~Q(correction_reason="")),
                name="correction_has_a_reason",
            ),
            models.UniqueConstraint(
                fields=["referral", "instrument", "time_point"],
                condition=Q(superseded_at__isnull=True, not_scored_reason="") & in_force_q(),
                name="one_current_measure_per_point",
            ),
            models.CheckConstraint(
                condition=~Q(not_scored_reason="other") | ~Q(not_scored_note=""),
                name="other_not_scored_reason_has_a_note",
            ),
            paired_constraint("measure"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} ({self.get_time_point_display().lower()}, {self.completed_on:%d %b %Y})"

    @property
    def definition(self):
        return definitions.get(self.instrument)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and self.entered_in_error_at is None

    @property
    def scales(self) -> list[dict]:
        return self.result.get("scales", [])

    @property
    def primary_result(self) -> dict | None:
        code = self.result.get("primary")
        return next((s for s in self.scales if s["code"] == code), None)

    @property
    def risk(self) -> list[dict]:
        return self.result.get("risk", [])

    @property
    def is_scored(self) -> bool:
        return not self.not_scored_reason

    @property
    def not_scored_text(self) -> str:
        """ "Not scored: the parent declined to complete it" (with the note, if any), or ""."""
        if not self.not_scored_reason:
            return ""
        text = f"Not scored: {NotScoredReason(self.not_scored_reason).label[:1].lower()}"
        text += NotScoredReason(self.not_scored_reason).label[1:]
        return f"{text} ({self.not_scored_note})" if self.not_scored_note else text

    @property
    def declined_risk_items(self) -> list[int]:
        return sorted(int(k) for k, v in (self.risk_responses or {}).items() if v == RiskResponse.DECLINED)

    # Permission checks on a measure are checks on its family.
    @property
    def service_id(self):
        return self.referral.service_id

    @property
    def site_id(self):
        return self.referral.site_id

    def case_practitioner_ids(self) -> set[int]:
        return self.referral.case_practitioner_ids()

    def case_supervisor_ids(self) -> set[int]:
        return self.referral.case_supervisor_ids()
