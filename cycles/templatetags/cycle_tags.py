"""The cycles' timeline and the footage table on a family's record, drawn in Python.

The record is the busiest page (issue 20): after its timeline of changes, these two loops cost the template engine
most of what remained (a link, dates, a tag and a conditional for each cell). The tags draw the same markup as the
loops they replaced (`tests/cycles/test_cycle_tags.py` compares them with the old templates, kept beside the test,
byte for byte); every value is escaped (`web.markup.escaped`) before it is joined.
"""

from django import template
from django.utils.safestring import mark_safe

from core.links import address_of
from web.markup import choice_label, escaped, localized, long_date, short_date
from web.templatetags.nhsuk import nhsuk_tag

register = template.Library()

_NOT_YET = "not yet"
_HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{}</span>'
_FAMILY_COPY = _HEADING.format("Family's copy ")


def _tag(step) -> str:
    if step.overdue:
        return nhsuk_tag("Review overdue", "red")
    if step.stage == "reviewed":
        return nhsuk_tag("Reviewed", "green")
    return nhsuk_tag("In progress", "blue")


@register.simple_tag
def cycle_steps(steps, referral):
    """The cycles' timeline items: each cycle (a link to it) with its state, filming, clips chosen, shared review
    and what is next."""
    cycle_address = address_of("cycles:cycle_detail")
    reference = escaped(referral.reference)
    items = []
    for step in steps:
        cycle = step.cycle
        filming = step.filming
        filmed = (
            f"{long_date(filming.filmed_on)} ({escaped(choice_label(filming, 'activity').lower())})"
            if filming
            else _NOT_YET
        )
        clips = localized(len(step.clips)) if step.clips else _NOT_YET
        reviewed = long_date(step.review.reviewed_on) if step.review else _NOT_YET
        next_step = f"<li><strong>Next:</strong> {escaped(step.next_step)}</li>" if step.next_step else ""
        items.append(
            '\n    <li class="app-timeline__item">\n      <h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1">'
            f'<a href="{cycle_address(cycle.pk)}">Cycle {escaped(localized(cycle.number))}'
            f'<span class="nhsuk-u-visually-hidden"> of {reference}</span></a>\n        {_tag(step)}\n      </h3>\n'
            '      <ul class="nhsuk-list nhsuk-body-s">\n'
            f"        <li>Filmed: {filmed}</li>\n"
            f"        <li>Clips chosen: {clips}</li>\n"
            f"        <li>Shared review: {reviewed}</li>\n"
            f"        {next_step}\n      </ul>\n    </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value above is escaped)


def _held_at(filming, footage, can_record: bool) -> str:
    held = "Not recorded"
    if footage:
        reference = f" ({escaped(footage.reference)})" if footage.reference else ""
        held = f"{escaped(footage.location)}{reference}"
    change = ""
    if can_record and not (footage and footage.destroyed_on):
        action = "Change" if footage else "Record where it is held"
        change = (
            f'<br><a href="{address_of("cycles:footage")(filming.pk)}">{action}<span class="nhsuk-u-visually-hidden">'
            f" – footage of cycle {escaped(localized(filming.cycle.number))}</span></a>"
        )
    return f"{_HEADING.format('Held at ')}\n          {held}\n          {change}"


def _family_copy(footage) -> str:
    if not footage:
        return "–"
    on = f" {short_date(footage.family_copy_on)}" if footage.family_copy_on else ""
    how = f" ({escaped(footage.family_copy_how)})" if footage.family_copy_how else ""
    return f"{escaped(choice_label(footage, 'family_copy'))}{on}{how}"


def _destroy_by(footage, overdue: bool) -> str:
    if not (footage and footage.destroy_by):
        return "Set at discharge"
    tag = f" {nhsuk_tag('Overdue', 'red')}" if overdue else ""
    return f"{short_date(footage.destroy_by)}{tag}"


def _destroyed(filming, footage, can_confirm: bool) -> str:
    if footage and footage.destroyed_on:
        who = (
            "destroyed by the vault on its destruction date"
            if footage.destroyed_by_vault
            else f"confirmed by {escaped(footage.destruction_confirmed_by)}"
        )
        return f"{short_date(footage.destroyed_on)}, {who}"
    if footage and can_confirm:
        return (
            f'<a href="{address_of("cycles:confirm_destruction")(footage.pk)}">Confirm destruction'
            f'<span class="nhsuk-u-visually-hidden"> of the footage of cycle {escaped(localized(filming.cycle.number))}'
            "</span></a>"
        )
    return "Not yet"


@register.simple_tag
def footage_rows(rows, can_record: bool, can_confirm: bool):
    """The footage table's rows: each filming, where its footage is held, the family's copy, when it must be
    destroyed (and whether that is overdue) and whether it was; the links only for those who may follow them."""
    out = []
    for row in rows:
        filming, footage = row["filming"], row["footage"]
        cells = [
            f"{_HEADING.format('Filming ')}Cycle {escaped(localized(filming.cycle.number))}, "
            f"{short_date(filming.filmed_on)}",
            _held_at(filming, footage, can_record),
            f"{_FAMILY_COPY}{_family_copy(footage)}",
            f"{_HEADING.format('Destroy by ')}{_destroy_by(footage, row['overdue'])}",
            f"{_HEADING.format('Destroyed ')}{_destroyed(filming, footage, can_confirm)}",
        ]
        out.append(
            '\n      <tr class="nhsuk-table__row">\n'
            + "\n".join(f'        <td class="nhsuk-table__cell">{cell}</td>' for cell in cells)
            + "\n      </tr>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


_NO_FILMING_CONSENT = (
    '\n<div class="nhsuk-warning-callout">\n'
    '  <h3 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: '
    "</span>No current consent to filming</span></h3>\n"
    "  <p>Filming will be refused until everyone filmed, and each child aged 12 or over who is filmed, "
    "has agreed:</p>\n"
    "  <ul>{}</ul>\n"
    "</div>\n"
)


@register.simple_tag
def consent_status(summary, missing):
    """Consent at a glance (the record's consent section and the consent page): a warning listing what filming
    still needs, then who currently agrees to each item. Drawn here rather than by a template with a loop and a
    join per item: the record shows it on every look. The markup is what `cycles/_consent_status.html` drew (kept
    beside `tests/cycles/test_consent_status_drawn.py`, which compares the two); every value is escaped."""
    warning = ""
    if missing:
        warning = _NO_FILMING_CONSENT.format("".join(f"<li>{escaped(reason)}</li>" for reason in missing))
    rows = "".join(
        '\n  <div class="nhsuk-summary-list__row">\n'
        f'    <dt class="nhsuk-summary-list__key">{escaped(label)}</dt>\n'
        '    <dd class="nhsuk-summary-list__value">'
        f"{', '.join(escaped(name) for name in names) if names else 'No one'}</dd>\n"
        "  </div>\n  "
        for label, names in summary
    )
    return mark_safe(  # noqa: S308 (every value above is escaped)
        f'{warning}\n<dl class="nhsuk-summary-list" id="consent-status">\n  {rows}\n</dl>\n'
    )


@register.simple_tag
def rating_progress(question):
    """A helping question's start rating → its latest ("Start 3/10 (7 Sep 2026) → end 8/10 (1 Dec 2026)"), from
    `with_progress`'s `start` and `latest`. Drawn here rather than by an include with a label and two dates per
    question: the record shows it for every question on every look. The text is what
    `cycles/_rating_progress.html` drew, its last line break included (kept beside
    `tests/cycles/test_consent_status_drawn.py`, which compares the two)."""
    start = question.start
    if not start:
        return "Not rated yet\n"
    text = f"Start {escaped(localized(start.score))}/10 ({short_date(start.rated_on)})"
    latest = question.latest
    if latest:
        point = escaped(str(choice_label(latest, "point")).lower())
        text += f" → {point} {escaped(localized(latest.score))}/10 ({short_date(latest.rated_on)})"
    return mark_safe(text + "\n")  # noqa: S308 (every value above is escaped)
