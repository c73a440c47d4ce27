"""Every write of discharge: keyword-only, the acting user passed in, one transaction, history recorded."""

from .discharge import discharge_family, reopen_family
from .letters import draft_discharge_letters

__all__ = ["discharge_family", "draft_discharge_letters", "reopen_family"]
