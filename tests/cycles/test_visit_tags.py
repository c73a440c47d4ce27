"""The visits section's lists drawn in Python (`cycles.templatetags.visit_tags`, issue 20) are what the template
loops drew, byte for byte: planned visits in the future and overdue, with and without activities, for those who
may record and those who may not; recorded visits with every outcome, one minute and many; times either side of
the change to summer time."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.template import Context, Template
from django.utils import timezone

from cycles.models import Visit
from cycles.reads.visits import family_visits
from tests.cycles.helpers_visits import attended, book, family_fixture, ready_fixture  # noqa: F401

# The section as its template drew it before the lists moved into visit_tags (issue 20), kept beside this test.
OLD_SECTION = """{% load tz %}<section id="visits" aria-labelledby="visits-heading">
<h2 class="nhsuk-heading-m" id="visits-heading">Visits</h2>
{% if section.can_record %}<p><a class="nhsuk-button nhsuk-button--secondary" href="{% url 'cycles:visit_book' referral.pk %}" data-module="nhsuk-button">Book a visit</a></p>{% endif %}
{% with found=section.visits %}
<h3 class="nhsuk-heading-s">Planned</h3>
{% if found.planned %}
<ul class="nhsuk-list nhsuk-list--border" id="planned-visits">
  {% for visit in found.planned %}
  <li>
    <a href="{% url 'cycles:visit_detail' visit.pk %}">{{ visit.planned_at|localtime|date:"D j M Y, H:i" }}</a>,
    {{ visit.get_place_display }}{% if visit.activities.all %}: {% for activity in visit.activities.all %}{{ activity.get_kind_display|lower }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}
    {% if visit.planned_at < section.now %}{% include "includes/tag.html" with text="Not yet recorded" colour="red" %}{% endif %}
    {% if section.can_record %}<a href="{% url 'cycles:visit_record' visit.pk %}">Record<span class="nhsuk-u-visually-hidden"> the visit of {{ visit.planned_at|localtime|date:"j M Y, H:i" }}</span></a>{% endif %}
  </li>
  {% endfor %}
</ul>
{% else %}
<p>No visits planned.</p>
{% endif %}
<h3 class="nhsuk-heading-s">Recent</h3>
{% if found.recent %}
<ul class="nhsuk-list nhsuk-list--border" id="recent-visits">
  {% for visit in found.recent %}
  <li>
    <a href="{% url 'cycles:visit_detail' visit.pk %}">{{ visit.planned_at|localtime|date:"D j M Y, H:i" }}</a>:
    {{ visit.get_outcome_display|lower }}{% if visit.duration_minutes %}, {{ visit.duration_minutes }} minute{{ visit.duration_minutes|pluralize }}{% endif %}{% if visit.activities.all %} ({% for activity in visit.activities.all %}{{ activity.get_kind_display|lower }}{% if not forloop.last %}, {% endif %}{% endfor %}){% endif %}
  </li>
  {% endfor %}
</ul>
{% else %}
<p>No visits recorded yet.</p>
{% endif %}
<h3 class="nhsuk-heading-s" id="liaison-heading">Liaison with the referrer</h3>
{% if found.liaisons %}
<ul class="nhsuk-list nhsuk-list--border" id="liaisons">
  {% for liaison in found.liaisons %}
  <li>{{ liaison.contacted_on|date:"j M Y" }}, {{ liaison.get_method_display|lower }}: {{ liaison.summary|linebreaksbr }}</li>
  {% endfor %}
</ul>
{% else %}
<p>{% include "includes/tag.html" with text="Not done" colour="yellow" %} No liaison with the referrer recorded yet.</p>
{% endif %}
{% if section.can_record %}<p><a href="{% url 'cycles:liaison_record' referral.pk %}">Record liaison with the referrer</a></p>{% endif %}
{% endwith %}
</section>
"""


def _at(*args):
    return datetime(*args, tzinfo=dt_timezone.utc)


@pytest.fixture
def visits(family, practitioner):
    """Two planned visits (one overdue, one with two activities), five recorded ones and one with no activity."""
    future = book(family, practitioner, days=5, activities=("shared_review", "filming"))
    overdue = book(family, practitioner, days=1, activities=())
    Visit.objects.filter(pk=overdue.pk).update(planned_at=timezone.now() - timezone.timedelta(hours=3))
    recorded = []
    for n, (when, outcome, minutes) in enumerate(
        [
            (_at(2026, 3, 28, 23, 30), "attended", 1),  # Saturday 23:30 GMT
            (_at(2026, 3, 29, 9, 5), "attended", 60),  # Sunday 10:05 BST
            (_at(2026, 7, 1, 8, 0), "did_not_attend", None),
            (_at(2026, 10, 25, 0, 30), "cancelled_by_family", None),
            (_at(2026, 11, 2, 14, 45), "cancelled_by_service", None),
        ]
    ):
        visit = book(family, practitioner, days=1 + n, activities=("filming",) if n % 2 else ())
        data = {"outcome": outcome, "duration_minutes": minutes}
        if outcome != "attended":
            data.update(present="", notes="", outcome_reason="Unwell")
        Visit.objects.filter(pk=visit.pk).update(planned_at=when)
        recorded.append(attended(Visit.objects.get(pk=visit.pk), practitioner, **data))
    return future, overdue, recorded


@pytest.mark.parametrize("can_record", [True, False])
def test_the_visits_lists_are_the_old_loops_byte_for_byte(family, visits, can_record):
    found = family_visits(family)
    assert len(found.planned) == 2 and len(found.recent) == 5
    context = {"referral": family, "section": {"visits": found, "can_record": can_record, "now": timezone.now()}}
    old = Template(OLD_SECTION).render(Context(context))
    new = Template(open_section()).render(Context(context))
    assert new == old
    assert "Not yet recorded" in new and "1 minute," not in new and ("Record<span" in new) == can_record


def open_section() -> str:
    from django.template.loader import get_template

    return get_template("cycles/_visits_section.html").template.source
