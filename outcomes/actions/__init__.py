"""Every write to a family's outcome measures. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log."""

from .measures import correct_measure, record_measure

__all__ = ["correct_measure", "record_measure"]
