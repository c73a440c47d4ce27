"""Small helpers for showing a referral."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.html import conditional_escape as escape
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


def _shown(value) -> str:
    """A value as `{{ value }}` shows it: localised, escaped, None as the empty string."""
    if value is None:
        return ""
    return conditional_escape(localize(value))


_HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>'
_TD = '<td class="nhsuk-table__cell">' + _HEADING + "{}</td>"
_CELL = "      " + _TD + "\n"


@register.simple_tag
def triage_row(referral, many_services: bool):
    """One row of the triage queue, drawn in Python: the busiest page's 25 rows cost a template about a third of
    its CPU. The markup is what the row template drew (`tests/referrals/test_list_serializer.py` compares them)."""
    parent = referral.first_parent
    waiting = _shown(referral.days_waiting())
    awaiting = referral.total_days_awaiting_information()
    if awaiting:
        waiting += f" ({_shown(awaiting)} awaiting information)"
    url = conditional_escape(reverse("referrals:detail", args=[referral.pk]))
    first = (
        f'<a href="{url}">{_shown(referral.reference)}</a><br>{_shown(date_filter(referral.date_received, "j M Y"))}'
    )
    service = _TD.format("Service", _shown(referral.service.name)) if many_services else ""
    return mark_safe(
        '<tr class="nhsuk-table__row">\n'
        + _CELL.format("Referral", first)
        + f"      {service}\n"
        + _CELL.format("Family", f"{_shown(parent.name if parent else None)}<br>{_shown(referral.child_display_name)}")
        + _CELL.format("Site and source", f"{_shown(referral.site.name)}<br>{_shown(referral.referral_source.name)}")
        + _CELL.format("Days waiting", waiting)
        + _CELL.format(
            "Status and eligibility", f"{_shown(referral.get_status_display())}<br>{eligibility_tag(referral)}"
        )
        + _CELL.format("Flags", flag_tags(referral))
        + "    </tr>"
    )


@register.simple_tag
def search_row(referral):
    """One row of the search page's results (up to 50), drawn in Python like `triage_row`; the markup is what the
    row template drew (`tests/referrals/test_list_serializer.py` compares them)."""
    url = conditional_escape(reverse("referrals:detail", args=[referral.pk]))
    parents = referral.parent_list
    names = "".join(f"{_shown(parent.name)}<br>" for parent in parents)
    first = parents[0] if parents else None
    postcode = "Confidential" if referral.confidential_address else _shown(first.postcode if first else None)
    return mark_safe(
        '<tr class="nhsuk-table__row">\n'
        f'      <td class="nhsuk-table__cell"><a href="{url}">{_shown(referral.reference)}</a><br>'
        f"{_shown(referral.service.name)}</td>\n"
        f'      <td class="nhsuk-table__cell">{names}{_shown(referral.child_display_name)}</td>\n'
        f'      <td class="nhsuk-table__cell">{postcode}</td>\n'
        f'      <td class="nhsuk-table__cell">{_shown(referral.get_status_display())} {flag_tags(referral)}</td>\n'
        "    </tr>"
    )
