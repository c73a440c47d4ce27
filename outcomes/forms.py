"""The outcome-measure form: one item per row (a fieldset of radios each, keyboard-friendly), with the date and the
time point; the correction form adds the reason; the export form picks the service."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone

from core.text import SafeNoteField
from core.widgets import NHSDateField

from .models import TimePoint

NEUTRAL_HINT = "Read item {n} and its options from the service's licensed copy; options are numbered top to bottom."


def item_field_name(number: int) -> str:
    return f"item_{number}"


class MeasureForm(forms.Form):
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
        layout = [InlineRadios("time_point"), "completed_on"]
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
            layout.append(InlineRadios(name) if len(item.scores) <= 7 else name)
        if correction:
            self.fields["reason"] = SafeNoteField(label="Why are you correcting this measure?")
            layout.append("reason")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def answers(self) -> dict:
        data = self.cleaned_data
        return {item.key: data.get(item_field_name(item.number)) for item in self.instrument.items}

    @staticmethod
    def initial_from(measure) -> dict:
        initial = {"time_point": measure.time_point, "completed_on": measure.completed_on}
        initial.update({item_field_name(int(k)): v for k, v in measure.answers.items()})
        return initial


class ExportForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, label="Service", empty_label=None)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.export_date = timezone.localdate()
