"""Small helpers for showing a referral."""

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.html import conditional_escape as escape
from django.utils.html import format_html
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


def _when(at) -> str:
    """`at|date:"j F Y H:i"` in local time ("6 December 2026 09:47"), written out: Django's date formatting costs
    about 30 µs a call, and the timeline has one or two for every event."""
    local = timezone.localtime(at)
    return f"{local.day} {MONTHS[local.month]} {local.year:04d} {local.hour:02d}:{local.minute:02d}"


def _change_row(field, old, new) -> str:
    """One "field: old → new" line of an event, escaped; a value set for the first time shows alone."""
    if old is None:
        return f"<li>{escape(field)}: {escape(localize(new))}</li>"
    return f"<li>{escape(field)}: {escape(localize(old))} → {escape('–' if new is None else localize(new))}</li>"


@register.simple_tag
def timeline_items(events):
    """The timeline's items, built here rather than by a template loop: a family's history runs to dozens of
    events with several changes each, and the template engine (and `format_html` for each line) spent more on them
    than on the rest of the record. Every value is escaped (`conditional_escape`) before it is joined; the markup
    is the NHS.UK details component, as elsewhere on the page."""
    items = []
    for event in events:
        when = _when(event.at)
        summary = escape(event.summary)
        details = ""
        if event.kind != "created" and event.changes:
            rows = "".join(_change_row(*row) for row in event.change_rows)
            details = (
                '\n    <details class="nhsuk-details">\n      <summary class="nhsuk-details__summary">'
                f'<span class="nhsuk-details__summary-text">What changed<span class="nhsuk-u-visually-hidden"> '
                f"({summary}, {when})</span></span></summary>\n"
                f'      <div class="nhsuk-details__text"><ul>{rows}</ul></div>\n    </details>'
            )
        items.append(
            f'<li class="app-timeline__item">\n    <strong>{summary}</strong> – {escape(event.actor)}, {when}'
            f"{details}\n  </li>"
        )
    return mark_safe("\n  ".join(items))  # noqa: S308 (every value above is escaped)


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
