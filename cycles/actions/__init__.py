"""Every write to a family's VIG work, by topic. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log.

Callers import from here (`actions.record_consent`). Each topic module re-exports its public actions below.
"""

from .consent import record_consent, withdraw_consent  # noqa: E402
from .helping_questions import (  # noqa: E402
    add_helping_question,
    change_helping_question_wording,
    rate_helping_question,
)

__all__ = [
    "record_consent",
    "withdraw_consent",
    "add_helping_question",
    "change_helping_question_wording",
    "rate_helping_question",
]
