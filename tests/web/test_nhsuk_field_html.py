"""Every form field is drawn in Python (`{% nhsuk_field_html %}`, issue 20): the bytes must be what the NHS.UK
pack's field templates drew. Those templates are kept beside this test (`nhsuk_field_before/`) and rendered by an
engine of their own; each kind of field, in each state a page can show it in (empty, filled, in error, hinted,
revealed, disabled, hidden labels, a layout's classes), and every form of the service that can be made without a
family, must come out the same both ways."""

import contextlib
import datetime
from pathlib import Path

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from django import forms
from django.template import Context, Engine
from django.template.loader import get_template

from core.widgets import NHSDateField, QuickSelect

BEFORE = Engine(
    dirs=[str(Path(__file__).parent / "nhsuk_field_before")],
    libraries={"nhsuk": "web.templatetags.nhsuk"},
)
HOSTILE = 'Tom & "Jerry" <b>\u00e9</b>'


def before(field, **look) -> str:
    return BEFORE.get_template("nhsuk/field.html").render(Context({"field": field, **look}))


def now(field, **look) -> str:
    return get_template("nhsuk/field.html").template.render(Context({"field": field, **look}))


class EveryKind(forms.Form):
    name = forms.CharField(max_length=20, help_text="As it appears on <the> letter")
    nickname = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "nhsuk-u-width-one-half"}))
    email = forms.EmailField(required=False)
    age = forms.IntegerField(required=False, min_value=0, localize=True)
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=200)
    site = forms.ChoiceField(choices=[("", "Choose"), ("1", "North & <East>"), ("2", 'The "Hub"')])
    quick = forms.ChoiceField(required=False, choices=[("", "All"), ("a", "A")], widget=QuickSelect)
    grouped = forms.ChoiceField(required=False, choices=[("North", [("1", "A")]), ("South", [("2", "B")])])
    many = forms.MultipleChoiceField(required=False, choices=[("x", "X"), ("y", "Y & Z")])
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline <now>")], widget=forms.RadioSelect, help_text="Pick one"
    )
    reason = forms.CharField(required=False, max_length=50)
    concerns = forms.MultipleChoiceField(
        required=False, choices=[("a", "Alpha"), ("b", "Beta")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)
    born_on = NHSDateField(required=False, help_text="For example, 15 3 2024")
    given_on = NHSDateField()
    upload = forms.FileField(required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    locked = forms.CharField(required=False, disabled=True, initial="fixed")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].reveals = {"decline": ["reason", "concerns"]}
        self.fields["decision"].choice_hints = {"accept": "Allocate <soon>"}
        self.fields["confirmed"].checkbox_label = "I have checked the <record>"
        self.fields["reason"].needed_when = "if you decline"
        self.fields["concerns"].needed_for = "declines"


FILLED = {
    "name": HOSTILE,
    "nickname": "",
    "email": "not an email",
    "age": "1200",
    "phone": "01632 960000",
    "notes": f"line one\n{HOSTILE}\r\nline three",
    "site": "2",
    "quick": "a",
    "grouped": "2",
    "many": ["x", "y"],
    "decision": "decline",
    "reason": "x" * 60,
    "concerns": ["b"],
    "agree": "on",
    "confirmed": "",
    "born_on_day": "31",
    "born_on_month": "2",
    "born_on_year": "24",
    "given_on_day": "",
    "given_on_month": "",
    "given_on_year": "",
    "secret": HOSTILE,
    "password": "p&ss",
}

STATES = {
    "unbound": lambda: EveryKind(),
    "initial": lambda: EveryKind(
        initial={"name": HOSTILE, "age": 3, "born_on": datetime.date(2024, 3, 9), "decision": "accept", "agree": True}
    ),
    "empty post": lambda: EveryKind(data={}),
    "filled post": lambda: EveryKind(data=FILLED),
    "prefixed": lambda: EveryKind(data=FILLED, prefix="p"),
    "no auto id": lambda: EveryKind(data=FILLED, auto_id=False),
}
LOOKS = {
    "crispy's": {"form_show_errors": True, "form_show_labels": True},
    "nothing set": {},
    "errors and labels hidden": {"form_show_errors": False, "form_show_labels": False},
    "a layout's classes": {"wrapper_class": 'w "1"', "label_class": "nhsuk-label--m", "inline_class": "inline"},
}


@pytest.mark.parametrize("look", LOOKS.values(), ids=LOOKS.keys())
@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_every_kind_of_field_draws_as_the_templates_did(state, look):
    form = state()
    form.is_bound and form.is_valid()
    for field in form:
        assert now(field, **look) == before(field, **look), field.name


def test_the_comparison_sees_a_difference():
    """The reference engine really renders the old templates: a field in error differs from one that is not."""
    form = EveryKind(data={})
    form.is_valid()
    assert before(form["name"]) != before(EveryKind()["name"])
    assert "nhsuk-error-message" in before(form["name"]) and "nhsuk-error-message" in now(form["name"])


def _forms_without_a_family():
    import importlib
    import inspect

    made = []
    modules = [
        "accounts.forms", "core.forms", "dashboards.forms", "discharge.forms", "governance.forms", "letters.forms",
        "notices.forms", "referrals.forms", "vault.forms", "cycles.forms.consent", "cycles.forms.cycles",
        "cycles.forms.footage", "cycles.forms.supervision", "cycles.forms.visits", "outcomes.forms",
    ]  # fmt: skip
    for name in modules:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                try:
                    cls()
                except TypeError:
                    continue  # needs a service or a family: drawn through the same code, by the kinds above
                made.append(cls)
    return made


FORMS = _forms_without_a_family()


def test_the_service_has_forms_to_compare():
    assert len(FORMS) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_the_services_forms_draw_as_the_templates_did(form_class):
    junk = dict.fromkeys(form_class().fields, HOSTILE)
    for form in (form_class(), form_class(data={}), form_class(data=junk)):
        # The sign-in form checks a password against a request; its fields' errors are drawn all the same.
        with contextlib.suppress(AxesBackendRequestParameterRequired):
            form.is_bound and form.is_valid()
        for field in form:
            assert now(field, form_show_errors=True) == before(field, form_show_errors=True), field.name


WHOLE_BEFORE = Engine(
    dirs=[str(Path(__file__).parent / "nhsuk_field_before"), str(Path(__file__).parents[2] / "templates")],
    libraries={"nhsuk": "web.templatetags.nhsuk"},
)
CRISPY_LOOK = {"field_class": "", "field_template": "nhsuk/field.html", "form_show_errors": True}


@pytest.mark.django_db
@pytest.mark.parametrize("state", [*STATES.values(), *FORMS], ids=[*STATES.keys(), *(c.__name__ for c in FORMS)])
def test_whole_forms_draw_as_the_pack_did(state):
    """`form|crispy` draws each field with `{% nhsuk_field_html %}` itself rather than through an include of
    `nhsuk/field.html` that did only that (`nhsuk/uni_form.html`; the old one is kept beside this test): the whole
    form, its error summary included, comes out the same, with the pack's field template named or not."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    form = state()
    with contextlib.suppress(AxesBackendRequestParameterRequired):
        form.is_bound and form.is_valid()
    old = WHOLE_BEFORE.get_template("nhsuk/uni_form.html")
    for look in (CRISPY_LOOK, {**CRISPY_LOOK, "field_template": ""}):
        assert get_template("nhsuk/uni_form.html").render(
            {**look, "form": form, "form_show_labels": True}
        ) == old.render(Context({**look, "form": form, "form_show_labels": True}))
    assert as_crispy_form(form) == old.render(Context({**CRISPY_LOOK, "form": form, "form_show_labels": True}))
