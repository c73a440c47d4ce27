"""Small helpers for showing a referral."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

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


# A list row's tags, drawn here rather than by `{% include %}`s: a 25-row page included `includes/tag.html` 50 to
# 150 times, a fifth of the triage queue's CPU. The markup is byte for byte what `referrals/_eligibility.html` and
# `referrals/_flags.html` (which call these too, so there is one definition) drew through `includes/tag.html`.
_ELIGIBILITY_TAGS = {
    None: '<strong class="nhsuk-tag nhsuk-tag--grey">Not checked</strong>',
    True: '<strong class="nhsuk-tag nhsuk-tag--green">Eligible</strong>',
    False: '<strong class="nhsuk-tag nhsuk-tag--orange">Outside criteria</strong>',
}


@register.filter
def eligibility_tag(referral):
    """The referral's eligibility as an NHS.UK tag: not checked, eligible or outside criteria."""
    eligible = referral.eligible
    return mark_safe(f"\n  {_ELIGIBILITY_TAGS[None if eligible is None else bool(eligible)]}\n\n\n")


@register.filter
def flag_tags(referral):
    """Each of the referral's flags (`Referral.flags`) as a red NHS.UK tag."""
    tags = "".join(
        f'<strong class="nhsuk-tag nhsuk-tag--red app-flag">{conditional_escape(flag)}</strong>\n '
        for flag in referral.flags()
    )
    return mark_safe(tags + "\n")
