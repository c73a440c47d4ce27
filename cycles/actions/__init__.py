"""Every write to a family's VIG work, by topic. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log.

Callers import from here (`actions.record_consent`). Each topic module re-exports its public actions below.
"""

from .footage import (
    confirm_footage_destroyed,
    raise_overdue_footage_notices,
    record_footage,
    set_footage_destruction_dates,
)
from .supervision import record_stage_reached, record_supervision

__all__ = [
    "confirm_footage_destroyed",
    "raise_overdue_footage_notices",
    "record_footage",
    "record_stage_reached",
    "record_supervision",
    "set_footage_destruction_dates",
]
