"""Small helpers for showing a referral."""

from django import template
from django.utils.html import format_html

from referrals import nhs_number as nhs
from referrals.models import Concern

register = template.Library()


@register.simple_tag
def summary_row(key, value):
    """One NHS.UK summary-list row; an empty value shows as 'Not recorded' so gaps are visible."""
    shown = value if value not in (None, "", [], " ") else "Not recorded"
    return format_html(
        '<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">{}</dt>'
        '<dd class="nhsuk-summary-list__value">{}</dd></div>',
        key,
        shown,
    )


@register.filter
def nhs_number(value):
    """Ten digits shown 3-3-4."""
    return nhs.display(value or "")


@register.filter
def concern_labels(referral):
    """The checklist's codes in words, for the referral page."""
    labels = dict(Concern.choices)
    return "; ".join(labels.get(c, c) for c in referral.concerns or [])


@register.filter
def get_item(mapping, key):
    """Look up a service question's answer by its key in a template."""
    return (mapping or {}).get(key, "")
