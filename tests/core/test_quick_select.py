"""`QuickSelect` draws a drop-down in Python for speed (issue 20): the bytes must be Django's own."""

import pytest
from django import forms

from core.widgets import QuickSelect

CHOICES = [("", "All sites"), (1, "Peterborough & <Fenland>"), (2, 'The "Hub"'), (1200, 1200), ("x'y", "Quote's")]


@pytest.mark.parametrize("value", [None, "", "1", 2, "1200", "x'y", "missing", ["1", "2"]])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "nhsuk-select"},
        {"class": "nhsuk-select nhsuk-select--error", "aria-describedby": "site-hint site-error", "id": "id_site"},
        {"required": True, "disabled": False, "data-n": 3},
    ],
)
def test_same_markup_as_djangos_select(value, attrs):
    django_select = forms.Select(choices=CHOICES, attrs={"data-own": "<own>"})
    quick = QuickSelect(choices=CHOICES, attrs={"data-own": "<own>"})
    assert quick.render("site", value, attrs=attrs) == django_select.render("site", value, attrs=attrs)


def test_option_groups_are_left_to_django():
    grouped = [("North", [(1, "A"), (2, "B")]), ("South", [(3, "C")])]
    assert QuickSelect(choices=grouped).render("g", "3") == forms.Select(choices=grouped).render("g", "3")


def test_a_model_choice_field_draws_the_same(db, settings):
    from accounts.models import Service

    Service.objects.create(name="Alpha & Omega", slug="alpha")
    Service.objects.create(name="Beta", slug="beta")
    quick = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), empty_label="All", widget=QuickSelect)
    plain = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), empty_label="All")
    chosen = str(Service.objects.get(slug="beta").pk)
    for value in (None, chosen):
        assert quick.widget.render("service", value) == plain.widget.render("service", value)
