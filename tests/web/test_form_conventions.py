"""Every form words its errors after the field and starts its drop-downs the same way (core/forms.py): required,
range and length errors name the field, nothing cuts pasted text, and no label says "(optional)" itself."""

import copy
import importlib
import inspect
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

from accounts.models import User
from core.forms import NHSForm, NHSFormMixin, apply_conventions
from core.text import SafeNoteField
from web.templatetags.nhsuk import nhsuk_error_summary_items

FORM_MODULES = ["accounts.forms", "referrals.forms"]


def test_every_page_form_uses_the_conventions():
    """A new form that forgets the mixin would say "This field is required." again: fail here instead."""
    missing = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name and not issubclass(cls, NHSFormMixin):
                missing.append(f"{module_name}.{name}")
    assert missing == []


class Example(NHSForm):
    referrer_name = forms.CharField(label="Referrer name")
    site = forms.ChoiceField(label="Site", choices=[("", "---------"), ("p", "Peterborough")])
    decision = forms.ChoiceField(label="Decision", choices=[("a", "Accept")], widget=forms.RadioSelect)
    born = forms.ChoiceField(label="Is the baby born yet?", choices=[("y", "Yes")], widget=forms.RadioSelect)
    parent_dob = forms.CharField(label="Parent 1: Date of birth")
    nhs = forms.CharField(label="NHS number", error_messages={"required": "Enter the NHS number"})


def test_required_errors_name_the_field():
    form = Example({})
    assert not form.is_valid()
    assert form.errors["referrer_name"] == ["Enter referrer name"]
    assert form.errors["site"] == ["Select a site"]
    assert form.errors["decision"] == ["Select a decision"]
    assert form.errors["born"] == ["Answer the question: Is the baby born yet?"]
    assert form.errors["parent_dob"] == ["Enter parent 1's date of birth"]
    assert form.errors["nhs"] == ["Enter the NHS number"]  # a form's own wording is kept
    assert "This field is required." not in str(form.errors)


def test_fields_added_after_init_get_the_conventions_too():
    class Late(NHSForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["gp_practice"] = forms.CharField(label="GP practice")

    form = Late({})
    form.is_valid()
    assert form.errors["gp_practice"] == ["Enter GP practice"]


def test_drop_downs_start_with_choose(db, services):
    from referrals.forms import ReferralForm

    form = ReferralForm(service=services[0])
    html = str(form["referral_source"])
    assert "Choose a referral source" in html and "---------" not in html
    assert "Choose a site" in str(form["site"]) or form.fields["site"].empty_label is None
    assert "---------" not in str(Example()["site"])


@pytest.mark.django_db
def test_error_summary_follows_the_page_order_not_the_field_order(services):
    """Each summary link's target appears further down the rendered form than the one before it."""
    from crispy_forms.utils import render_crispy_form

    from referrals.forms import ReferralForm

    form = ReferralForm({"child_unborn": "no"}, service=services[0])
    form.is_valid()
    html = render_crispy_form(form)
    hrefs = [item["href"] for item in nhsuk_error_summary_items(form) if item["href"]]
    positions = [html.index(f'id="{href[1:]}"') for href in hrefs]
    assert len(hrefs) > 5 and "#id_child_date_of_birth_day" in hrefs
    assert positions == sorted(positions)


# --- Limits name the field; labels never say "(optional)" themselves (issue 18, item 9) -------------------------------


def _form_modules() -> list[str]:
    """Every `forms` module (or package's modules) of every layer in pyproject.toml: a new app's forms are covered."""
    layers = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["tool"]["vig"]["layers"]["order"]
    names = []
    for package in layers:
        try:
            module = importlib.import_module(f"{package}.forms")
        except ModuleNotFoundError:
            continue
        names.append(module.__name__)
        if hasattr(module, "__path__"):
            names += [f"{module.__name__}.{info.name}" for info in pkgutil.iter_modules(module.__path__)]
    return names


def _form_classes():
    for module_name in _form_modules():
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                yield f"{module_name}.{name}", cls


def test_form_modules_are_found_in_every_app():
    modules = _form_modules()
    assert {"cycles.forms.cycles", "outcomes.forms", "letters.forms", "discharge.forms", "notices.forms"} <= set(
        modules
    )


def test_every_form_in_every_app_uses_the_conventions():
    assert [name for name, cls in _form_classes() if not issubclass(cls, NHSFormMixin)] == []


DJANGO_DEFAULTS = ("Ensure this value", "This field is required", "Enter a whole number", "Enter a number")


def _subject_words(label: str) -> set[str]:
    words = re.findall(r"[a-z]{4,}", str(label).lower().replace("(optional)", ""))
    return set(words) - {"that", "this", "with", "from", "into", "what", "which", "minutes", "seconds"}


def limit_problems(name: str, field: forms.Field) -> list[str]:
    """Each way this field's range or length error would fail to name it, or its label says "(optional)"."""
    field = copy.deepcopy(field)
    problems = []
    if isinstance(field, forms.ModelChoiceField) and field.queryset is None:  # set by the form's __init__
        field.queryset = User.objects.none()
    apply_conventions(field, name)
    if "(optional)" in str(field.label or "").lower():
        problems.append(f"{name}: label {field.label!r} says (optional); the page adds it")
    if "maxlength" in field.widget.attrs:
        problems.append(f"{name}: maxlength attribute would cut pasted text without a word")
    tries = []
    if getattr(field, "max_value", None) is not None:
        tries.append(str(field.max_value + 1))
    if getattr(field, "min_value", None) is not None:
        tries.append(str(field.min_value - 1))
    if isinstance(field, forms.CharField) and field.max_length is not None:
        tries.append("x" * (field.max_length + 1))
    if isinstance(field, forms.CharField) and field.min_length:
        tries.append("x")
    if isinstance(field, forms.IntegerField):
        tries.append("twelve")
    for value in tries:
        try:
            field.clean(value)
        except forms.ValidationError as error:
            for message in error.messages:
                words = _subject_words(field.label or name)
                if message.startswith(DJANGO_DEFAULTS) or (words and not words & _subject_words(message)):
                    problems.append(f"{name}: {message!r} does not name {field.label!r}")
        else:
            problems.append(f"{name}: {value[:20]!r} was accepted")
    return problems


def test_every_declared_field_names_itself_in_range_and_length_errors():
    problems = []
    for form_name, cls in _form_classes():
        for name, field in cls.base_fields.items():
            problems += [f"{form_name}.{p}" for p in limit_problems(name, field)]
    assert problems == []


@pytest.mark.django_db
def test_fields_forms_add_at_run_time_name_themselves_too(service, coordinator, practitioner):
    """The forms that build fields from data: the measure form (every instrument), filming and clips."""
    from cycles.forms.cycles import ClipForm, FilmingForm
    from outcomes import definitions
    from outcomes.forms import MeasureForm
    from outcomes.models import MeasureConfig
    from outcomes.wording import wording_for
    from tests.outcomes.helpers_outcomes import family

    referral = family(service, coordinator, practitioner)
    built = [FilmingForm(referral=referral), ClipForm(referral=referral)]
    for instrument in definitions.instruments().values():
        config = MeasureConfig(service=service, instrument=instrument.code, time_points=["baseline"])
        wording = wording_for(instrument, service.pk)
        built.append(MeasureForm(instrument=instrument, wording=wording, config=config, correction=True))
    problems = [p for form in built for name, field in form.fields.items() for p in limit_problems(name, field)]
    assert problems == []


class Limits(NHSForm):
    duration_minutes = forms.IntegerField(label="Duration in minutes", min_value=1, max_value=480)
    start = forms.IntegerField(label="Start time (seconds)", max_value=480, required=False)
    notes = SafeNoteField(label="Notes", max_length=5000, required=False)
    weeks = forms.IntegerField(label="Nothing recorded for how many weeks", max_value=52, required=False)
    reference = forms.CharField(label="Reference", max_length=10, required=False)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"duration_minutes": "481"}, "duration_minutes", "Duration must be 480 minutes or less"),
        ({"duration_minutes": "0"}, "duration_minutes", "Duration must be at least 1 minute"),
        ({"duration_minutes": "1.5"}, "duration_minutes", "Duration must be a whole number, like 45"),
        ({"start": "481"}, "start", "Start time must be 480 seconds or less"),
        ({"weeks": "60"}, "weeks", "Nothing recorded for how many weeks: enter 52 or less"),
        ({"notes": "x" * 14000}, "notes", "Notes must be 5,000 characters or fewer (you entered 14000)"),
        ({"reference": "R" * 11}, "reference", "Reference must be 10 characters or fewer (you entered 11)"),
    ],
)
def test_limit_errors_name_the_field_and_the_limit(data, field, message):
    form = Limits({"duration_minutes": "60", **data})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_pasted_long_note_is_refused_never_cut():
    note = "Parent said: " + "x" * 14000
    form = Limits({"duration_minutes": "60", "notes": note})
    assert not form.is_valid() and "5,000 characters" in form.errors["notes"][0]
    assert "maxlength" not in str(form["notes"]) and "maxlength" not in str(form["reference"])
    assert form.data["notes"] == note  # shown back whole for the person to shorten


def test_a_label_that_says_optional_is_caught():
    field = forms.CharField(label="Visit (optional)", required=False)
    assert limit_problems("visit", field) == ["visit: label 'Visit (optional)' says (optional); the page adds it"]


def test_a_field_with_djangos_range_message_is_caught():
    class Bare(forms.IntegerField):
        def run_validators(self, value):  # what an unconverted form did: Django's own sentence
            if value is not None and value > self.max_value:
                raise forms.ValidationError("Ensure this value is less than or equal to 480.")

    problems = limit_problems("minutes", Bare(label="Duration in minutes", max_value=480))
    assert problems and "does not name" in problems[0]


@pytest.mark.django_db
def test_add_a_clip_names_every_empty_field(login, service, coordinator, practitioner):
    from cycles.forms.cycles import ClipForm
    from tests.outcomes.helpers_outcomes import family

    form = ClipForm({}, referral=family(service, coordinator, practitioner))
    assert not form.is_valid()
    messages = [m for errors in form.errors.values() for m in errors]
    assert "This field is required." not in messages
    assert "Enter the clip's start time" in messages and "Enter the clip's end time" in messages
    assert len(set(messages)) == len(messages) == 5


@pytest.mark.django_db
def test_conventions_do_not_run_a_drop_downs_query_again(django_assert_num_queries):
    """A ModelChoiceField's choices are a query: applying the conventions again (each time a field is looked up or
    the form cleaned) must not run it; rendering runs it once."""

    class Pick(NHSForm):
        person = forms.ModelChoiceField(queryset=User.objects.order_by("pk"), required=False)

    form = Pick(data={})
    with django_assert_num_queries(0):
        for _ in range(3):
            form["person"]
        assert form.fields["person"].empty_label == "Choose a person"
    with django_assert_num_queries(1):
        assert "Choose a person" in str(form["person"])
