"""The outcome-measure form: one item per row (a fieldset of radios each, keyboard-friendly), with the date and the
time point; the correction form adds the reason; the export form picks the service.

Items the score needs are never labelled "(optional)": they may be left blank only with a reason why the
questionnaire was not completed (then it is kept as not scored). Each risk question is followed by "what happened"
for when it is left blank (asked in person, or declined). The action checks both rules (`outcomes.completeness`),
so the page and the API refuse the same things."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone

from core.forms import NHSForm
from core.text import SafeNoteField
from core.widgets import NHSDateField
from cycles.dates import backdated_reason_form_field

from .completeness import needed_items, risk_item_numbers
from .models import NotScoredReason, RiskResponse, TimePoint

NEUTRAL_HINT = "Read item {n} and its options from the service's licensed copy; options are numbered top to bottom."


def item_field_name(number: int) -> str:
    return f"item_{number}"


def risk_field_name(number: int) -> str:
    return f"risk_{number}"


class MeasureForm(NHSForm):
    """Built from the instrument's definition and the wording the service may show."""

    def __init__(self, *args, instrument, wording, config, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["time_point"] = forms.ChoiceField(
            label="Time point",
            choices=[(p, TimePoint(p).label) for p in config.time_points],
            widget=forms.RadioSelect,
        )
        self.fields["completed_on"] = NHSDateField(label="Date completed", help_text="For example, 15 3 2026")
        self.fields["backdated_reason"] = backdated_reason_form_field()
        layout = [InlineRadios("time_point"), "completed_on", "backdated_reason"]
        needed, risky = needed_items(instrument), risk_item_numbers(instrument)
        for item in instrument.items:
            name = item_field_name(item.number)
            label = f"{item.number}. {wording.item_text(item.number)}"
            if item.kind == "text":
                self.fields[name] = SafeNoteField(label=label, required=False)
                layout.append(name)
                continue
            hint = NEUTRAL_HINT.format(n=item.number) if wording.source == "neutral" else ""
            if not item.scored:
                hint = (hint + " Not scored.").strip()
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=list(enumerate(wording.option_labels(item))),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text=hint,
            )
            if item.number in needed:
                self.fields[name].needed_for = "the score"
            layout.append(InlineRadios(name) if len(item.scores) <= 7 else name)
            if item.number in risky:
                layout.append(self._risk_field(item.number))
        self._not_scored_fields(instrument, layout)
        if correction:
            self.fields["reason"] = SafeNoteField(label="Why are you correcting this measure?")
            layout.append("reason")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def _risk_field(self, number: int) -> str:
        name = risk_field_name(number)
        self.fields[name] = forms.ChoiceField(
            label=f"Item {number} is a risk question. If it is not answered above, what happened?",
            choices=RiskResponse.choices,
            required=False,
            widget=forms.RadioSelect,
        )
        self.fields[name].needed_when = f"if item {number} is not answered"
        return name

    def _not_scored_fields(self, instrument, layout: list) -> None:
        self.fields["not_scored_reason"] = forms.ChoiceField(
            label=f"Why was the {instrument.short_name} not completed?",
            choices=NotScoredReason.choices,
            required=False,
            widget=forms.RadioSelect,
            help_text="Only if items the score needs are not answered: it is then kept as not scored, and not "
            "counted as a baseline or an end.",
        )
        self.fields["not_scored_reason"].needed_when = "if items the score needs are not answered"
        self.fields["not_scored_reason"].reveals = {NotScoredReason.OTHER: ["not_scored_note"]}
        self.fields["not_scored_note"] = SafeNoteField(label="What happened", required=False)
        self.fields["not_scored_note"].needed_when = "if you chose another reason"
        layout.append("not_scored_reason")  # the note is drawn inside the "Another reason" reveal

    def answers(self) -> dict:
        data = self.cleaned_data
        return {item.key: data.get(item_field_name(item.number)) for item in self.instrument.items}

    def completion(self) -> dict:
        """The not-scored reason and what happened with each blank risk question, as the actions take them."""
        data = self.cleaned_data
        risks = {str(n): data.get(risk_field_name(n)) for n in risk_item_numbers(self.instrument)}
        return {
            "not_scored_reason": data.get("not_scored_reason") or "",
            "not_scored_note": data.get("not_scored_note") or "",
            "risk_responses": {k: v for k, v in risks.items() if v},
        }

    @staticmethod
    def initial_from(measure) -> dict:
        initial = {
            "time_point": measure.time_point,
            "completed_on": measure.completed_on,
            "backdated_reason": measure.backdated_reason,
            "not_scored_reason": measure.not_scored_reason,
            "not_scored_note": measure.not_scored_note,
        }
        initial.update({item_field_name(int(k)): v for k, v in measure.answers.items()})
        initial.update({risk_field_name(int(k)): v for k, v in (measure.risk_responses or {}).items()})
        return initial


class ExportForm(NHSForm):
    service = forms.ModelChoiceField(queryset=None, label="Service", empty_label=None)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.export_date = timezone.localdate()
