"""Every write to a family's VIG work, by topic. Keyword-only, the acting user passed in, one transaction, and one
call to `referrals.history.record_change` for the family's history and the access log.

Callers import from here (`actions.record_filming`).
"""

from .consent import record_consent, withdraw_consent
from .cycles import add_clip, record_filming, record_shared_review, start_cycle
from .footage import (
    confirm_footage_destroyed,
    notify_about_footage,
    raise_overdue_footage_notices,
    record_footage,
    record_footage_destroyed_by_vault,
    set_footage_destruction_dates,
)
from .helping_questions import add_helping_question, change_helping_question_wording, rate_helping_question
from .supervision import record_stage_reached, record_supervision
from .visits import (
    book_visit,
    cancel_visit,
    discard_draft,
    record_liaison,
    record_visit,
    reschedule_visit,
    save_draft,
)

__all__ = [
    "add_helping_question",
    "change_helping_question_wording",
    "rate_helping_question",
    "record_consent",
    "withdraw_consent",
    "add_clip",
    "book_visit",
    "cancel_visit",
    "confirm_footage_destroyed",
    "discard_draft",
    "notify_about_footage",
    "raise_overdue_footage_notices",
    "record_filming",
    "record_footage",
    "record_footage_destroyed_by_vault",
    "record_liaison",
    "record_shared_review",
    "record_stage_reached",
    "record_supervision",
    "record_visit",
    "reschedule_visit",
    "save_draft",
    "set_footage_destruction_dates",
    "start_cycle",
]
