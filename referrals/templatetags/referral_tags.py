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


@register.inclusion_tag("includes/entered_in_error_link.html", takes_context=True)
def entered_in_error_link(context, record, family=None):
    """ "Mark entered in error" beside a casework record, shown only to those who may (its author, a coordinator).
    Pass the `family` the page holds so a list costs no query per row."""
    from django.urls import reverse

    from accounts.permissions import may_mark_entered_in_error

    request = context.get("request")
    show = (
        request is not None
        and not record.entered_in_error
        and may_mark_entered_in_error(request.user, record, family=family)
    )
    return {
        "show": show,
        "url": reverse("referrals:entered_in_error", args=[record.error_type, record.pk]) if show else "",
        "description": record.error_description() if show else "",
    }
