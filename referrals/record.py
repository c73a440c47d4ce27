"""Sections other apps add to the family's record page (consent, helping questions, cycles, outcomes, letters).

Once a referral is allocated its page becomes the family's working record. `referrals` knows none of the apps
that add to it: each registers a function with `record_section(order)` in its `AppConfig.ready()`, and the page
includes what they return. A function takes the request and the referral (loaded with `with_record_details()`) and
returns a list of sections: dicts with the `template` to include and what it shows. Each must cost a fixed number
of queries, whatever the family's history.
"""

from collections.abc import Callable

RecordSections = Callable[[object, object], list[dict]]
_registry: list[tuple[int, str, RecordSections]] = []


def record_section(order: int):
    """Register a function that contributes sections to the family's record; lower `order` comes first."""

    def register(func: RecordSections) -> RecordSections:
        name = f"{func.__module__}.{func.__qualname__}"
        if all(existing != name for _, existing, _ in _registry):
            _registry.append((order, name, func))
            _registry.sort(key=lambda item: (item[0], item[1]))
        return func

    return register


def record_sections(request, referral) -> list[dict]:
    """Every registered app's sections of this family's record, in order."""
    sections: list[dict] = []
    for _, _, func in _registry:
        sections.extend(func(request, referral))
    return sections


@record_section(order=95)
def entered_in_error_section(request, referral) -> list[dict]:
    """Casework entered in error, struck through with who, when and why (one query per kind of record)."""
    from .reads.entered_in_error import entered_in_error_of

    records = entered_in_error_of(referral)
    return [{"template": "referrals/_entered_in_error_section.html", "records": records}] if records else []
