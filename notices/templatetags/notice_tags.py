"""The family a notice names and the home page's notices, drawn in Python.

The home pages list a person's notices, each naming its family; the include that drew the name (a link, the parent,
the child, a date) and the loop around it cost the coordinator's home page about a third of its CPU (issue 20).
`notice_family` and `home_notice_items` draw the same markup (`tests/notices/test_notice_tags.py` compares them
with the include and the loop they replaced, byte for byte); every value is escaped before it is joined.
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.links import address_of
from notices.models import NoticeKind
from web.markup import choice_label, escaped, local_day_and_time, short_date

register = template.Library()

_URGENT = '<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>'


@register.filter
def notice_family(notice) -> str:
    """The link to the family's record: "Parent – child, born 7 Sep 2026 (R000123)" where the reader may open the
    family (`notice.family`, set by `notices.reads.with_families`), the reference alone otherwise; nothing for a
    notice about no family. Each ends with the line break the include's file ended with."""
    if not notice.referral_id:
        return "\n"
    family = getattr(notice, "family", None)
    reference = escaped(notice.referral_reference)
    if family:
        if family["born"]:
            when = f"born {short_date(family['born'])}"
        elif family["due"]:
            when = f"due {short_date(family['due'])}"
        else:
            when = "date of birth not recorded"
        label = f"{escaped(family['parent'] or 'Parent not named')} – {escaped(family['child'])}, {when} ({reference})"
    else:
        label = reference
    address = escaped(address_of("referrals:detail")(notice.referral_id))
    return mark_safe(  # noqa: S308 (every value above is escaped)
        f'<a href="{address}">{label}<span class="nhsuk-u-visually-hidden"> (family record)</span></a>\n'
    )


@register.simple_tag
def home_notice_items(notices):
    """The home page's "Needs your attention" cards: what the notice is, its family, whether it was escalated,
    when it was raised and the link to acknowledge it. The state line of an escalated notice is still drawn by
    `notices/_state.html` (one template for every page that shows a state)."""
    state = None
    items = []
    for notice in notices:
        summary = escaped(notice.summary)
        urgent = notice.urgent
        act = ": act on it" if notice.kind == NoticeKind.RISK_ANSWER else ""
        family = (
            f'<p class="nhsuk-body nhsuk-u-margin-bottom-1">Family: {notice_family(notice)}</p>'
            if notice.referral_id
            else ""
        )
        escalated = ""
        if notice.state == "escalated":
            state = state or get_template("notices/_state.html")
            escalated = f'<p class="nhsuk-body-s nhsuk-u-margin-bottom-1">{state.render({"notice": notice})}</p>'
        address = escaped(address_of("notices:acknowledge")(notice.pk))
        items.append(
            '\n    <li class="nhsuk-u-margin-bottom-3">\n'
            f'      <div class="nhsuk-card nhsuk-u-margin-bottom-0 {"nhsuk-card--feature" if urgent else ""}">\n'
            '        <div class="nhsuk-card__content">\n'
            f"          {_URGENT if urgent else ''}\n"
            f'          <p class="nhsuk-body nhsuk-u-margin-bottom-1"><strong>{escaped(choice_label(notice, "kind"))}'
            f"</strong>: {summary}{act}</p>\n"
            f"          {family}\n"
            f"          {escalated}\n"
            '          <p class="nhsuk-body-s nhsuk-u-margin-bottom-0">\n'
            f"            Raised {local_day_and_time(notice.created_at)}\n"
            f'            – <a href="{address}">Acknowledge<span class="nhsuk-u-visually-hidden"> notice: {summary}'
            "</span></a>\n"
            "          </p>\n"
            "        </div>\n"
            "      </div>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value above is escaped, the state by its template)
