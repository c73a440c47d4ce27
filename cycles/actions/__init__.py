"""Every write to a family's VIG work, by topic. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log.

Callers import from here (`actions.record_consent`). Each topic module re-exports its public actions below.
"""

from .cycles import add_clip, record_filming, record_shared_review, start_cycle  # noqa: E402, F401
from .visits import (  # noqa: E402, F401
    book_visit,
    cancel_visit,
    discard_draft,
    record_liaison,
    record_visit,
    reschedule_visit,
    save_draft,
)
