"""Every form words its errors after the field and starts its drop-downs the same way (vig_service/forms.py)."""

import importlib
import inspect

import pytest
from django import forms

from core.forms import NHSForm, NHSFormMixin
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
