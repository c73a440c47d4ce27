"""The dashboard's repeated parts (its tables and bar charts), drawn here rather than by template loops.

The dashboard is one page of many small tables: a service's practitioners, trainees, months, sources and bands,
each row a handful of numbers with a link. Drawn by the template engine they cost more CPU than reading every
figure from the database (issue 21), so they are built as strings, the way the record's timeline is
(`referrals.templatetags.referral_tags.timeline_items`). Every value is escaped (`web.markup.escaped`:
`conditional_escape`'s text without its check for lazy text on every call) before it is joined, and the markup is
what the templates drew: NHS.UK tables, and the SVG bars of `dashboards.charts`.
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from web.markup import escaped as escape
from web.markup import localized

register = template.Library()

_PK = 987654321  # a stand-in id: the link is reversed once a table, not once a row


def _families(n) -> str:
    return "family" if n == 1 else "families"


def _num(value) -> str:
    """A number as the template showed it (`{{ n }}` with no thousands separator, en-GB): `str`."""
    return str(value)


def _figure_link(list_url, query, figure: str) -> str:
    """The address of the families behind a figure (`figure`, already escaped) on the dashboard's list page."""
    return f"{escape(list_url)}?{escape(query)}&amp;figure={figure}"


@register.simple_tag
def figure_table(rows, caption, heading, figure_prefix="", list_url="", query=""):
    """A two-column table of (label, count) rows, the accessible version of the chart beside it; with a
    `figure_prefix`, each count links to the families behind it (the list `figure_prefix` + label)."""
    caption_html = escape(caption)
    body = []
    for label, n in rows:
        shown = escape(label or "(none)")
        count = _num(n)
        if figure_prefix:
            href = _figure_link(
                list_url, query, escape(quote(str(figure_prefix), safe="/")) + escape(quote(str(label), safe="/"))
            )
            count = (
                f'<a href="{href}">{count}<span class="nhsuk-u-visually-hidden"> {_families(n)}: {caption_html}, '
                f"{escape(label)}</span></a>"
            )
        body.append(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{shown}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{count}</td></tr>'
        )
    if not body:
        body.append(
            '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="2">None in this period</td></tr>'
        )
    return mark_safe(  # noqa: S308 (every value above is escaped)
        '<table class="nhsuk-table">\n'
        f'  <caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption_html}</caption>\n'
        '  <thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">'
        f'{escape(heading)}</th><th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric">Number</th>'
        "</tr></thead>\n"
        f'  <tbody class="nhsuk-table__body">\n    {"".join(body)}\n  </tbody>\n</table>'
    )


def _bar_chart(chart, title, chart_id) -> str:
    """The SVG of `dashboards.charts.bar_chart`: its title lists every bar, for screen readers."""
    font, label_width, height = chart["font_size"], chart["label_width"], chart["bar_height"]
    named = ", ".join(f"{escape(bar['label'])} {_num(bar['value'])}" for bar in chart["bars"])
    bars = "".join(
        f'<text x="{label_width - 8}" y="{bar["text_y"]}" text-anchor="end" font-size="{font}" fill="#212b32">'
        f"{escape(bar['label'])}</text>\n"
        f'  <rect x="{label_width}" y="{bar["y"]}" width="{bar["width"]}" height="{height}" fill="#005eb8"/>\n'
        f'  <text x="{bar["value_x"]}" y="{bar["text_y"]}" font-size="{font}" fill="#212b32">{_num(bar["value"])}'
        "</text>\n  "
        for bar in chart["bars"]
    )
    chart_id = escape(chart_id)
    return (
        f'<svg class="app-chart" width="{chart["width"]}" height="{chart["height"]}" '
        f'viewBox="0 0 {chart["width"]} {chart["height"]}" role="img" aria-labelledby="{chart_id}-title" '
        f'focusable="false">\n  <title id="{chart_id}-title">{escape(title)}: {named}</title>\n  {bars}\n</svg>'
    )


@register.simple_tag
def chart_and_table(chart, rows, caption, heading, chart_id, figure_prefix="", list_url="", query=""):
    """A figure as a bar chart with its table (the accessible version), or the table alone where a chart would only
    repeat a short table (`dashboards.charts.bar_chart` gives None)."""
    table = figure_table(rows, caption, heading, figure_prefix, list_url, query)
    if not chart:
        return table
    return mark_safe(  # noqa: S308 (both parts are escaped where they are built)
        '<div class="nhsuk-grid-row">\n'
        f'  <div class="nhsuk-grid-column-two-thirds">{_bar_chart(chart, caption, chart_id)}</div>\n'
        f'  <div class="nhsuk-grid-column-one-third">{table}</div>\n</div>'
    )


@register.simple_tag
def caseload_rows(rows, can_see_caseloads):
    """The caseloads table's rows: each practitioner's open families, capacity and protected days in use; the name
    links to their caseload only for someone who may open it."""
    link = reverse("referrals:practitioner_caseload", kwargs={"membership_id": _PK}) if can_see_caseloads else ""
    out = []
    for row in rows:
        membership = row["membership"]
        name = escape(str(membership.user))
        if link:
            name = (
                f'<a href="{link.replace(str(_PK), str(membership.pk))}">{name}'
                '<span class="nhsuk-u-visually-hidden">\'s caseload</span></a>'
            )
        protected = row["protected"]
        out.append(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{name}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(row["open"])}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(row["capacity"])}</td>'
            f'<td class="nhsuk-table__cell">{escape(protected["days"])}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(protected["on_protected"])} of '
            f"{_num(protected['visits'])}</td></tr>"
        )
    if not out:
        return mark_safe(
            '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="5">No practitioners</td></tr>'
        )
    return mark_safe("\n    ".join(out))  # noqa: S308 (every value above is escaped)


def _or_dash(value) -> str:
    return "–" if value is None else _num(value)


@register.simple_tag
def trainee_rows(rows):
    """The trainees table's rows: stage, cycles and supervised hours against the stage's targets, and supervision
    in the period."""
    out = []
    for row in rows:
        p = row["progress"]
        out.append(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{escape(str(p.membership.user))}</td>'
            f'<td class="nhsuk-table__cell">{escape(p.stage or "–")}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(p.cycles_done)} / '
            f"{_or_dash(p.cycles_required)}</td>"
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(p.supervised_hours)} / '
            f"{_or_dash(p.hours_required)}</td>"
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_num(row["period_hours"])}</td></tr>'
        )
    if not out:
        return mark_safe('<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="5">No trainees</td></tr>')
    return mark_safe("\n    ".join(out))  # noqa: S308 (every value above is escaped)


def _shown(value) -> str:
    """`{{ value }}`: localised, then escaped."""
    return escape(localized(value))


@register.simple_tag
def discharge_reason_rows(rows, list_url, query):
    """The discharges-by-reason table's rows, (reason, label, families), each count linking to its families."""
    out = [
        f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{escape(label)}</td>'
        '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">'
        f'<a href="{_figure_link(list_url, query, "discharged:" + escape(value))}">{_shown(n)}'
        f'<span class="nhsuk-u-visually-hidden"> famil{"y" if n == 1 else "ies"} discharged: {escape(label)}'
        "</span></a></td></tr>\n        "
        for value, label, n in rows
    ]
    if not out:
        return mark_safe(
            '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="2">None in this period</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


@register.simple_tag
def against_plan_rows(rows, list_url, query):
    """The cycles-against-plan table's rows, (bucket, label, families), each count linking to its families."""
    return mark_safe(  # noqa: S308 (every value above is escaped)
        "".join(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{escape(label)}</td>'
            '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">'
            f'<a href="{_figure_link(list_url, query, "against_plan:" + escape(key))}">{_shown(n)}'
            f'<span class="nhsuk-u-visually-hidden"> famil{"y" if n == 1 else "ies"} discharged: '
            f"{escape(str(label).lower())}</span></a></td></tr>"
            for key, label, n in rows
        )
    )


@register.simple_tag
def outcome_measure_rows(measures):
    """The outcomes table's rows: each measure's baseline/end pairs, mean change and share reliably improved."""
    out = []
    for m in measures:
        mean = "–" if m["mean_change"] is None else _shown(m["mean_change"])
        improved = m["percent_reliably_improved"]
        out.append(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{_shown(m["name"])} '
            f'({_shown(m["scale_label"])})</td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">'
            f'{_shown(m["pairs"])}</td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{mean}</td>'
            f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric" id="improved-{_shown(m["instrument"])}-'
            f'{_shown(m["scale"])}">{"–" if improved is None else _shown(improved) + "%"}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
