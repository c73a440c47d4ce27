"""Small helpers for showing a referral."""

import html

from django import template
from django.template.defaultfilters import add, yesno
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe

from core.links import address_of
from referrals import nhs_number as nhs
from referrals.models import Concern
from web.markup import choice_label, escaped, localized, long_date, short_date
from web.templatetags.nhsuk import nhsuk_tag

register = template.Library()


@register.simple_tag
def summary_row(key, value):
    """One NHS.UK summary-list row; an empty value shows as 'Not recorded' so gaps are visible."""
    return mark_safe(_row(escaped(key), value))  # noqa: S308 (`_row` escapes the value; the key is escaped here)


def _row(key: str, value) -> str:
    """`{% summary_row key value %}` as a string, for the record's summary lists drawn in Python. `key` is markup
    (a template's quoted text is): escape any that is not written here."""
    shown = value if value not in (None, "", [], " ") else "Not recorded"
    return (
        f'<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">{key}</dt>'
        f'<dd class="nhsuk-summary-list__value">{escaped(shown)}</dd></div>'
    )


def _lines(rows) -> str:
    """Summary-list rows as the template laid them out: two spaces before each, a line break after."""
    return "".join(f"  {row}\n" for row in rows)


@register.simple_tag
def record_summary(referral, parents, questions, show_address):
    """The family's record's summary lists (the referral, each parent, the child, the reason, safety, the GP and
    health visitor), drawn in Python: some forty `{% summary_row %}`s with their filters were a tenth of the
    record's CPU, the busiest page (issue 20). Byte for byte what the template drew (`tests/referrals/
    test_record_summary.py` renders the old template beside it); every value goes through `_row`'s escaping."""
    out = [
        '<h2 class="nhsuk-heading-m">Referral</h2>\n<dl class="nhsuk-summary-list">\n',
        _lines(
            [
                _row("Date received", long_date(referral.date_received)),
                _row("Referral source", referral.referral_source.name),
                _row("Referrer", referral.referrer_name),
                _row(
                    "Referrer's role and organisation",
                    add(add(referral.referrer_role, ", "), referral.referrer_organisation),
                ),
                _row("Referrer's contact", referral.referrer_contact),
                _row("Parent consented to the referral", yesno(referral.parent_consented_to_referral, "Yes,No")),
            ]
        ),
        "</dl>\n\n",
    ]
    for number, parent in enumerate(parents, start=1):
        out.append(
            f'\n<h2 class="nhsuk-heading-m">Parent or carer {number}: {escaped(parent.name)}</h2>\n'
            '<dl class="nhsuk-summary-list">\n'
        )
        out.append(
            _lines(
                [
                    _row("Relationship", parent.relationship),
                    _row("Date of birth", long_date(parent.date_of_birth)),
                    _row("NHS number", nhs_number(parent.nhs_number)),
                ]
            )
        )
        if show_address:
            out.append(f"  \n    {_row('Address', add(add(parent.address, ' '), parent.postcode))}\n  \n")
        else:
            out.append(
                '  \n    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Address</dt>'
                '<dd class="nhsuk-summary-list__value">Confidential. <a href="?show_address=1">Show the address'
                f'<span class="nhsuk-u-visually-hidden"> of {escaped(parent.name)}</span></a> (your viewing is '
                "recorded).</dd></div>\n  \n"
            )
        out.append(
            _lines(
                [
                    _row("Phone", parent.phone),
                    _row("Preferred language", parent.preferred_language),
                    _row(
                        "Language for letters",
                        choice_label(parent, "letter_language") or "Not recorded: letters are in English",
                    ),
                    _row("Interpreter needed", yesno(parent.interpreter_needed, "Yes,No")),
                    _row(
                        "Communication needs",
                        add(add(choice_label(parent, "communication_format"), " "), parent.communication_support),
                    ),
                    _row("Ethnic category", choice_label(parent, "ethnic_category")),
                ]
            )
        )
        out.append("</dl>\n")
    if referral.child_unborn:
        born = _row("Expected date of delivery", long_date(referral.expected_delivery_date))
    else:
        born = _row("Date of birth", long_date(referral.child_date_of_birth))
    send = _row("SEND details", referral.child_send_details) if referral.child_send_details else ""
    children = "".join(
        _row(
            "Older child who may be filmed",
            add(add(child.name, " – consent to filming: "), choice_label(child, "consent_to_filming")),
        )
        for child in referral.other_children.all()
    )
    out.append(
        '\n\n<h2 class="nhsuk-heading-m">The child</h2>\n<dl class="nhsuk-summary-list">\n'
        + _lines(
            [
                _row("Name", referral.child_display_name),
                born,
                _row("NHS number", nhs_number(referral.child_nhs_number)),
                _row("Special educational needs or disabilities", yesno(referral.child_send, "Yes,No")),
                send,
                children,
            ]
        )
        + "</dl>\n\n"
    )
    answers = "".join(
        _row(escaped(question.text), get_item(referral.question_answers, question.key)) for question in questions
    )
    out.append(
        '<h2 class="nhsuk-heading-m">Reason for referral</h2>\n<dl class="nhsuk-summary-list">\n'
        + _lines(
            [
                _row("Concerns", concern_labels(referral)),
                _row("Details", referral.reason_details),
                _row("Attachment or parental-sensitivity concerns", referral.attachment_concerns),
                _row("Mental-health concerns", referral.mental_health_concerns),
                _row("Change hoped for", referral.hoped_for_change),
                _row("Agreed with the parent", choice_label(referral, "change_agreed_with_parent")),
                _row("Impact on the child's lived experience", referral.impact_on_child),
                _row("PRFQ completed", yesno(referral.prfq_completed, "Yes,No")),
                answers,
            ]
        )
        + "</dl>\n\n"
    )
    out.append(
        '<h2 class="nhsuk-heading-m">Safety</h2>\n<dl class="nhsuk-summary-list">\n'
        + _lines(
            [
                _row("Safeguarding", choice_label(referral, "safeguarding_status")),
                _row("Risks to staff visiting", referral.risks_to_staff or "None recorded"),
                _row("Confidential address", yesno(referral.confidential_address, "Yes,No")),
            ]
        )
        + "</dl>\n\n"
    )
    out.append(
        '<h2 class="nhsuk-heading-m">GP and health visitor</h2>\n<dl class="nhsuk-summary-list">\n'
        + _lines(
            [
                _row("GP practice", referral.gp_practice),
                _row("Named health visitor", referral.named_health_visitor),
                _row("Health visitor's team", referral.named_health_visitor_team),
                _row("Health visitor's postal address", referral.named_health_visitor_address),
                _row("Health visitor's contact", referral.named_health_visitor_contact),
            ]
        )
        + "</dl>"
    )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def _when(at, zone) -> str:
    """`at|date:"j F Y H:i"` in local time (`zone`, the current time zone: "6 December 2026 09:47"), written out:
    Django's date formatting costs about 30 µs a call, and the timeline has one or two for every event."""
    local = at.astimezone(zone)
    return f"{local.day} {MONTHS[local.month]} {local.year:04d} {local.hour:02d}:{local.minute:02d}"


def _value(value) -> str:
    """`escaped(localized(value))`, with text (most changes' values) escaped at once."""
    if type(value) is str:
        return html.escape(value)
    return escaped(localized(value))


def _change_row(field, old, new) -> str:
    """One "field: old → new" line of an event, escaped; a value set for the first time shows alone."""
    if old is None:
        return f"<li>{_value(field)}: {_value(new)}</li>"
    return f"<li>{_value(field)}: {_value(old)} → {'–' if new is None else _value(new)}</li>"


@register.simple_tag
def timeline_items(events):
    """The timeline's items, built here rather than by a template loop: a family's history runs to dozens of
    events with several changes each, and the template engine (and `format_html` for each line) spent more on them
    than on the rest of the record. Every value is escaped (`web.markup.escaped`) before it is joined; the markup
    is the NHS.UK details component, as elsewhere on the page."""
    items = []
    zone = timezone.get_current_timezone()  # looked up once, not per event (`timezone.localtime` asks each time)
    for event in events:
        when = _when(event.at, zone)
        summary = escaped(event.summary)
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
            f'<li class="app-timeline__item">\n    <strong>{summary}</strong> – {escaped(event.actor)}, {when}'
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
        f'<strong class="nhsuk-tag nhsuk-tag--red app-flag">{escaped(flag)}</strong>\n ' for flag in referral.flags()
    )
    return mark_safe(tags + "\n")


def _shown(value) -> str:
    """A value as `{{ value }}` shows it: localised, escaped, None as the empty string."""
    if value is None:
        return ""
    return escaped(localized(value))


_HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>'
_TD = '<td class="nhsuk-table__cell">' + _HEADING + "{}</td>"
_CELL = "      " + _TD + "\n"


@register.simple_tag
def triage_row(referral, many_services: bool, today=None):
    """One row of the triage queue, drawn in Python: the busiest page's 25 rows cost a template about a third of
    its CPU. The markup is what the row template drew (`tests/referrals/test_list_serializer.py` compares them).
    `today`, where the page gives it, is asked once a page rather than twice a row."""
    parent = referral.first_parent
    waiting = _shown(referral.days_waiting(today))
    awaiting = referral.total_days_awaiting_information(today)
    if awaiting:
        waiting += f" ({_shown(awaiting)} awaiting information)"
    url = escaped(address_of("referrals:detail")(referral.pk))
    first = f'<a href="{url}">{_shown(referral.reference)}</a><br>{_short_date(referral.date_received, "")}'
    service = _TD.format("Service", _shown(referral.service.name)) if many_services else ""
    return mark_safe(
        '<tr class="nhsuk-table__row">\n'
        + _CELL.format("Referral", first)
        + f"      {service}\n"
        + _CELL.format("Family", f"{_shown(parent.name if parent else None)}<br>{_shown(referral.child_display_name)}")
        + _CELL.format("Site and source", f"{_shown(referral.site.name)}<br>{_shown(referral.referral_source.name)}")
        + _CELL.format("Days waiting", waiting)
        + _CELL.format(
            "Status and eligibility", f"{_shown(choice_label(referral, 'status'))}<br>{eligibility_tag(referral)}"
        )
        + _CELL.format("Flags", flag_tags(referral))
        + "    </tr>"
    )


@register.simple_tag
def search_row(referral):
    """One row of the search page's results (up to 50), drawn in Python like `triage_row`; the markup is what the
    row template drew (`tests/referrals/test_list_serializer.py` compares them)."""
    url = escaped(address_of("referrals:detail")(referral.pk))
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
        f'      <td class="nhsuk-table__cell">{_shown(choice_label(referral, "status"))} {flag_tags(referral)}</td>\n'
        "    </tr>"
    )


def _short_date(value, empty: str) -> str:
    """`value|date:"j M Y"|default:empty` for a date ("7 Sep 2026")."""
    return short_date(value) if value else empty


def _red_tags(texts, classes: str, after: str) -> str:
    """`includes/tag.html` in red with `classes` for each text, as the include drew it (its file's line break
    included), each followed by `after`."""
    return "".join(
        f'<strong class="nhsuk-tag nhsuk-tag--red {classes}">{escaped(text)}</strong>\n{after}' for text in texts
    )


@register.simple_tag
def caseload_row(row, show_practitioner: bool):
    """One row of a caseload table (a practitioner's home page, their caseload page), drawn in Python like
    `triage_row`: the table's rows cost a practitioner's home page more than the rest of it. The markup is what
    the row template drew (`tests/referrals/test_list_serializer.py` compares them)."""
    referral = row.referral
    parent = referral.first_parent
    url = escaped(address_of("referrals:detail")(referral.pk))
    family = (
        f'<a href="{url}">{_shown(parent.name if parent else None)}</a><br>{_shown(referral.child_display_name)} '
        f"({_shown(referral.reference)})"
    )
    overdue = "".join(f"<br>{_red_tags([reason], 'app-overdue', '')}" for reason in row.overdue_reasons)
    contact = (
        f"Last contact: {_short_date(row.last_contact, 'none')}<br>"
        f"Next visit: {_short_date(row.next_visit, 'none booked')}<br>"
        f"Liaison: {'done' if row.liaison_done else 'not done'}{overdue}"
    )
    practitioner = _TD.format("Practitioner", _shown(row.allocation.practitioner)) if show_practitioner else ""
    return mark_safe(  # noqa: S308 (every value above is escaped)
        '<tr class="nhsuk-table__row">\n'
        + _CELL.format("Family", family)
        + f"      {practitioner}\n"
        + _CELL.format("Status", _shown(row.status))
        + _CELL.format("Days since allocation", _shown(row.days_since_allocation))
        + _CELL.format("Contact and visits", contact)
        + _CELL.format("Referrer", _shown(row.referrer))
        + _CELL.format("Flags", _red_tags(row.flags, "app-flag", " "))
        + "    </tr>"
    )


_PLAIN_CELL = '      <td class="nhsuk-table__cell">{}</td>\n'


@register.simple_tag
def practitioner_row(membership):
    """One row of the service's caseload table (a manager's or coordinator's caseloads page: 70 or more
    practitioners), drawn in Python like `caseload_row`. Links only where the reader may follow them
    (`membership.can_open`, `membership.can_manage`, set by the view). The markup is what the row template drew
    (`tests/referrals/test_list_serializer.py` compares them)."""
    name = _shown(membership.user)
    if membership.can_open:
        address = escaped(address_of("referrals:practitioner_caseload")(membership.pk))
        name = f'<a href="{address}">{name}</a>'
    details = membership.details_or_none  # never saved: no stage, capacity "Not set", as the template showed
    training = _shown(choice_label(membership, "training_status"))
    if details is not None and details.training_stage:
        training += f", stage {_shown(details.training_stage)}"
    change = ""
    if membership.can_manage:
        address = escaped(address_of("referrals:practitioner_edit")(membership.pk))
        change = (
            f'<a href="{address}">Change<span class="nhsuk-u-visually-hidden"> details for '
            f"{_shown(membership.user)}</span></a>"
        )
    return mark_safe(  # noqa: S308 (every value above is escaped)
        '<tr class="nhsuk-table__row">\n'
        + _PLAIN_CELL.format(name)
        + _PLAIN_CELL.format(_shown(membership.service.name))
        + _PLAIN_CELL.format(training)
        + _PLAIN_CELL.format(_shown(membership.open_cases))
        + _PLAIN_CELL.format(_shown(details.capacity) if details is not None and details.capacity else "Not set")
        + _PLAIN_CELL.format(change)
        + "    </tr>"
    )


_BEREAVEMENT = (
    '\n<div class="nhsuk-warning-callout">\n  <h2 class="nhsuk-warning-callout__label"><span role="text"><span '
    'class="nhsuk-u-visually-hidden">Important: </span>Bereavement or pregnancy loss</span></h2>\n  <p>Do not send '
    "routine letters or make routine contact with this family.</p>\n</div>\n"
)
_MOVED_SITE = (
    '<div class="nhsuk-warning-callout"><h2 class="nhsuk-warning-callout__label"><span role="text"><span '
    'class="nhsuk-u-visually-hidden">Important: </span>Moved site: check allocation</span></h2><p>The family\'s site '
    "is {}, where their practitioner does not work. Reallocate them, or add the site to the practitioner's "
    "sites.</p></div>"
)


def _plural(n) -> str:
    """`{{ n|pluralize }}` for a whole number."""
    return "" if n == 1 else "s"


def _wait_or_state(referral) -> str:
    """Who holds the family since when, how it ended, or how long it has waited (the record's first paragraph)."""
    received = long_date(referral.date_received)
    allocation = referral.active_allocation
    if referral.status == "allocated" and allocation:
        holder = escaped(allocation.practitioner.display_name)
        allocated = long_date(timezone.localtime(allocation.allocated_at))
        return f"Allocated to {holder} on {allocated}; received on {received}."
    if referral.closed_at:
        status = escaped(choice_label(referral, "status"))
        return f"{status} on {long_date(timezone.localtime(referral.closed_at))}; received on {received}."
    today = timezone.localdate()
    days = referral.days_waiting(today)
    text = f"Waiting {localized(days)} day{_plural(days)} since received on {received}"
    awaiting = referral.total_days_awaiting_information(today)
    if awaiting:
        text += f", of which {localized(awaiting)} day{_plural(awaiting)} awaiting information"
    return text + "."


def _record_actions(context, referral) -> str:
    """The buttons and links for what this person may do to the family now (each shown only to who may follow it)."""
    can_triage, can_update = context.get("can_triage"), context.get("can_update")
    can_withdraw, can_allocate = context.get("can_withdraw"), context.get("can_allocate")
    if not (can_triage or can_update or can_withdraw or can_allocate):
        return ""
    transitions, pk = context.get("transitions") or (), referral.pk

    def button(name, text):
        return f'<li><a class="nhsuk-button" href="{address_of(name)(pk)}" data-module="nhsuk-button">{text}</a></li>'

    items = [
        button("referrals:triage", "Make a triage decision") if can_triage and "accept" in transitions else "",
        button("referrals:information_received", "Information received")
        if can_triage and "information_received" in transitions
        else "",
        button("referrals:allocate", "Allocate a practitioner") if can_allocate and "allocate" in transitions else "",
        f'<li><a href="{address_of("referrals:edit")(pk)}">Update the referral<span class="nhsuk-u-visually-hidden"> '
        f"{escaped(referral.reference)}</span></a></li>"
        if can_update
        else "",
        f'<li><a href="{address_of("referrals:record_birth")(pk)}">Record the birth</a></li>'
        if can_update and referral.child_unborn
        else "",
        f'<li><a href="{address_of("referrals:allocate")(pk)}">Reallocate</a></li>'
        f'<li><a href="{address_of("referrals:unallocate")(pk)}">Unallocate</a></li>'
        if can_allocate and "unallocate" in transitions
        else "",
        f'<li><a href="{address_of("referrals:triage")(pk)}">Decline after acceptance</a></li>'
        if can_triage and "decline" in transitions and referral.status == "accepted"
        else "",
        f'<li><a href="{address_of("referrals:withdraw")(pk)}">Withdraw the referral</a></li>'
        if can_withdraw and "withdraw" in transitions
        else "",
    ]
    return '\n<ul class="nhsuk-list app-actions">\n  ' + "\n  ".join(items) + "\n</ul>\n"


@register.simple_tag(takes_context=True)
def record_heading(context, referral):
    """The top of a family's record: service and site, the family's name, status, eligibility and flags, a
    bereavement warning, who holds the family or how long it has waited, what this person may do now, the
    eligibility rules and a moved-site warning. Drawn here rather than by the page's template: the record is the
    service's most-read page, and these conditions, dates and links were a tenth of its template's cost. The markup
    is what `referral_detail.html` drew (kept beside `tests/referrals/test_record_heading_drawn.py`, which compares
    the two for every status, permission and transition); every value is escaped."""
    reasons = "".join(
        f"<li>{'Meets: ' if reason.get('passed') else '<strong>Does not meet:</strong> '}"
        f"{escaped(reason.get('message', ''))}</li>"
        for reason in referral.eligibility_reasons or ()
    )
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'\n<span class="nhsuk-caption-l">{escaped(referral.service.name)} – {escaped(referral.site.name)}</span>\n'
        f'<h1 class="nhsuk-heading-l">Referral {escaped(referral.reference)}: {escaped(referral.child_display_name)}'
        f"</h1>\n<p>{nhsuk_tag(choice_label(referral, 'status'), 'blue')} {eligibility_tag(referral)} "
        f"{flag_tags(referral)}</p>\n"
        f"{_BEREAVEMENT if referral.bereavement else ''}\n"
        f'\n<p id="wait-or-state">{_wait_or_state(referral)}</p>\n'
        "\n\n"
        f"{_record_actions(context, referral)}"
        '\n\n<h2 class="nhsuk-heading-m">Eligibility</h2>\n<ul class="nhsuk-list" id="eligibility-reasons">\n  '
        f"{reasons or '<li>No rules configured for this service.</li>'}"
        "\n</ul>\n\n"
        f"{_MOVED_SITE.format(escaped(referral.site.name)) if referral.needs_reallocation else ''}\n"
    )
