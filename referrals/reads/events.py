"""The family's timeline as the record page shows it: every change and decision, oldest first, with who made it.

The page reads the events as plain rows (one query, with the actor's name joined in) rather than as model
instances with their actors prefetched: a family's history runs to dozens of events, and building two model
instances for each cost more than anything else on the page. The API's record still prefetches the events
(`Referral.objects.with_record_details()`), for its serializer.
"""

from datetime import datetime
from typing import NamedTuple

from core.prepared import prepared

from ..models import ReferralEvent


class TimelineEvent(NamedTuple):
    """One entry of the timeline. A named tuple rather than a frozen dataclass: a long history makes dozens, and a
    frozen dataclass sets each field through `object.__setattr__`."""

    at: datetime
    kind: str
    summary: str
    actor: str  # the actor's display name (`User.display_name`)
    changes: dict

    @property
    def change_rows(self) -> list[tuple]:
        """(field, old, new) for each change, unpacked once here: looking up `change.0` on a list in a template
        costs a failed attribute lookup each time, and a long history has hundreds of them."""
        rows = []
        for field, change in self.changes.items():
            old, new = (list(change) + [None, None])[:2] if isinstance(change, list | tuple) else (None, change)
            rows.append((field, old, new))
        return rows


def timeline_of(referral) -> list[TimelineEvent]:
    """The family's events, oldest first (the model's order), in one query whatever their number."""
    return [
        TimelineEvent(
            at=at,
            kind=kind,
            summary=summary,
            actor=f"{first} {last}".strip() or username,  # as User.display_name
            changes=changes or {},
        )
        for at, kind, summary, changes, first, last, username in _event_rows(referral.pk)
    ]


@prepared()
def _event_rows(referral_id):
    """The events' plain rows (compiled once per process, `core.prepared`: every look at a record reads them)."""
    return ReferralEvent.objects.filter(referral_id=referral_id).values_list(
        "at", "kind", "summary", "changes", "actor__first_name", "actor__last_name", "actor__username"
    )
