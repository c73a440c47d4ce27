"""Every write to letters, by topic. Keyword-only, the acting user passed in, one transaction, and one call to
`referrals.history.record_change` for the family's history and the access log.

Discharge and triage pages call these (`actions.draft_letter`, `actions.approve_letter`).
"""

from .approval import approve_letter, check_safe_to_send, mark_letter_sent
from .drafting import confirm_bereaved_family_letter, draft_letter, edit_letter, initial_content
from .pipeline import (
    RenderFailed,
    regenerate_letter,
    regenerate_month_letters,
    render_letter_file,
    sweep_stuck_letters,
)
from .settings import (
    save_letter_settings,
    save_letter_template,
    save_letter_translation,
    settings_for,
    template_for,
    translation_for,
)

__all__ = [
    "RenderFailed",
    "approve_letter",
    "check_safe_to_send",
    "confirm_bereaved_family_letter",
    "draft_letter",
    "edit_letter",
    "initial_content",
    "mark_letter_sent",
    "regenerate_letter",
    "regenerate_month_letters",
    "render_letter_file",
    "save_letter_settings",
    "save_letter_template",
    "save_letter_translation",
    "settings_for",
    "sweep_stuck_letters",
    "template_for",
    "translation_for",
]
