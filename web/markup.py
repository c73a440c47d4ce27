"""Escaping and dates for markup built in Python (the busiest rows and lists, ADR 0030).

Django's `conditional_escape` is right but slow for this: each call passes through `keep_lazy`'s check of its
arguments for lazy text before escaping, and a page of rows makes hundreds of calls. `escaped` gives the same text:
a value that knows its own markup (`__html__`: `mark_safe`d text, a form's field) as that markup, anything else
through the standard library's `html.escape` of its text, exactly as Django's `escape` does (`tests/web/
test_markup.py`). Join escaped pieces and `mark_safe` the whole only once every value in it went through here.
"""

import html

from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS_ABBR
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.hashable import make_hashable


def escaped(value) -> str:
    """`conditional_escape(value)`, as a plain string."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


_labels: dict[tuple[type, str], tuple[dict | None, str]] = {}


def choice_label(instance, name: str):
    """`instance.get_<name>_display()`: the label of the field's value, or the value where it has none. Django
    flattens the field's choices into a new dictionary on every call (about a dozen calls each); a row of a list or
    a record shows several. The labels are looked up once per field; a field whose choices are worked out when
    asked (a callable) goes to Django's method each time."""
    key = (type(instance), name)
    found = _labels.get(key)
    if found is None:
        field = instance._meta.get_field(name)
        fixed = isinstance(field.choices, list | tuple)
        found = _labels.setdefault(key, (dict(make_hashable(field.flatchoices)) if fixed else None, field.attname))
    labels, attname = found
    if labels is None:
        return getattr(instance, f"get_{name}_display")()
    value = getattr(instance, attname)
    try:
        label = labels.get(value, value)
    except TypeError:  # an unhashable value (a list in a JSON field): made hashable, as Django does
        label = labels.get(make_hashable(value), value)
    return label if type(label) is str else force_str(label, strings_only=True)


def localized(value):
    """`localize(value)`, as `{{ value }}` writes it, with a whole number written at once: Django looks up three
    formats for each one before writing its digits, and a caseload table shows hundreds of counts."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return localize(value)


def long_date(value) -> str:
    """`value|date:"j F Y"` ("7 September 2026") for a date, "" for none."""
    if value in (None, ""):
        return ""
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


def short_date(value) -> str:
    """`value|date:"j M Y"` ("7 Sep 2026") for a date, written out: Django's date filter costs about 30 µs a call,
    and a list of rows has one or more for every row. Each use is held to the filter by its row's byte-for-byte
    test."""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}"


def local_day_and_time(at, *, weekday: bool = False) -> str:
    """`at|date:"j M Y, H:i"` in local time ("7 Sep 2026, 09:30"), or with the weekday first (`"D j M Y, H:i"`:
    "Mon 7 Sep 2026, 09:30")."""
    local = timezone.localtime(at)
    shown = f"{short_date(local)}, {local.hour:02d}:{local.minute:02d}"
    return f"{WEEKDAYS_ABBR[local.weekday()]} {shown}" if weekday else shown
