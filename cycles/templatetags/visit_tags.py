"""The visits section's lists on a family's record, drawn in Python.

The record is the busiest page (issue 20), and its planned and recent visits cost the template engine more than
the rest of the section: a link, two dates in local time and the activities for every visit. These tags draw the
same markup (`tests/cycles/test_visit_tags.py` compares them with the loops they replaced, byte for byte); every
value is escaped before it is joined.
"""

from django import template
from django.utils.safestring import mark_safe

from core.links import address_of
from web.markup import choice_label, escaped, local_day_and_time

register = template.Library()

# As includes/tag.html draws it, with the file's last line break.
_NOT_YET_RECORDED = '<strong class="nhsuk-tag nhsuk-tag--red">Not yet recorded</strong>\n'


def _activities(visit) -> list[str]:
    return [escaped(choice_label(activity, "kind").lower()) for activity in visit.activities.all()]


def _address(name: str, pk: int) -> str:
    return escaped(address_of(name)(pk))


@register.simple_tag
def planned_visit_items(visits, now, can_record: bool):
    """The planned visits' list items: when (a link to the visit), where, what is planned, "Not yet recorded" once
    the time has passed, and "Record" for those who may."""
    items = []
    for visit in visits:
        when = local_day_and_time(visit.planned_at, weekday=True)
        activities = _activities(visit)
        planned = f": {', '.join(activities)}" if activities else ""
        overdue = _NOT_YET_RECORDED if visit.planned_at < now else ""
        record = (
            f'<a href="{_address("cycles:visit_record", visit.pk)}">Record<span class="nhsuk-u-visually-hidden">'
            f" the visit of {local_day_and_time(visit.planned_at)}</span></a>"
            if can_record
            else ""
        )
        items.append(
            f'\n  <li>\n    <a href="{_address("cycles:visit_detail", visit.pk)}">{when}</a>,\n'
            f"    {escaped(choice_label(visit, 'place'))}{planned}\n    {overdue}\n    {record}\n  </li>\n  "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value above is escaped)


@register.simple_tag
def recent_visit_items(visits):
    """The recent visits' list items: when (a link to the visit), the outcome, how long and what was done."""
    items = []
    for visit in visits:
        when = local_day_and_time(visit.planned_at, weekday=True)
        minutes = visit.duration_minutes
        duration = f", {escaped(minutes)} minute{'' if minutes == 1 else 's'}" if minutes else ""
        activities = _activities(visit)
        done = f" ({', '.join(activities)})" if activities else ""
        items.append(
            f'\n  <li>\n    <a href="{_address("cycles:visit_detail", visit.pk)}">{when}</a>:\n'
            f"    {escaped(choice_label(visit, 'outcome').lower())}{duration}{done}\n  </li>\n  "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value above is escaped)
