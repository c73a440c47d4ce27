"""Every write of discharge: keyword-only, the acting user passed in, one transaction, history recorded."""

from .discharge import discharge_family, reopen_family
from .letters import draft_discharge_letters
from .requested_actions import mark_requested_action_entered_in_error

__all__ = [
    "discharge_family",
    "draft_discharge_letters",
    "mark_requested_action_entered_in_error",
    "reopen_family",
]
