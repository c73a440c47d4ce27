"""A letter's statuses and the order they come in.

draft → approved → queued → rendering → ready, or → failed (with the error, after LETTER_RENDER_MAX_ATTEMPTS).
A failed or lost file goes back to queued (batch regeneration); editing an approved letter makes a new draft
version and supersedes the old one, which is kept with its content hash.
"""

from django.db import models

from core.refusals import ActionRefused


class LetterKind(models.TextChoices):
    FAMILY = "family", "Letter to the family"
    REFERRER = "referrer", "Letter to the referrer"
    HANDOVER = "handover", "Handover to the health visitor"
    DECLINE = "decline", "Decline letter to the referrer"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    QUEUED = "queued", "Waiting to be made"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# Statuses the workers still owe a file for (the sweep re-sends these when they linger).
IN_PIPELINE = (LetterStatus.APPROVED, LetterStatus.QUEUED, LetterStatus.RENDERING)
APPROVED_STATUSES = (*IN_PIPELINE, LetterStatus.READY, LetterStatus.FAILED)

TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {LetterStatus.DRAFT: LetterStatus.QUEUED},
    "start_render": {
        LetterStatus.APPROVED: LetterStatus.RENDERING,
        LetterStatus.QUEUED: LetterStatus.RENDERING,
        LetterStatus.RENDERING: LetterStatus.RENDERING,
    },
    "regenerate": {
        LetterStatus.FAILED: LetterStatus.QUEUED,
        LetterStatus.READY: LetterStatus.QUEUED,
        LetterStatus.APPROVED: LetterStatus.QUEUED,
        LetterStatus.QUEUED: LetterStatus.QUEUED,
    },
}

# Tag colours for the status on pages.
STATUS_COLOURS = {
    LetterStatus.DRAFT: "grey",
    LetterStatus.APPROVED: "blue",
    LetterStatus.QUEUED: "blue",
    LetterStatus.RENDERING: "yellow",
    LetterStatus.READY: "green",
    LetterStatus.FAILED: "red",
}

# The kinds that go to professionals: never the address of a family with a confidential address.
PROFESSIONAL_KINDS = (LetterKind.REFERRER, LetterKind.HANDOVER, LetterKind.DECLINE)


def check_transition(status: str, step: str) -> str:
    """The status after `step`, or a refusal that says why not."""
    allowed = TRANSITIONS[step]
    if status not in allowed:
        label = LetterStatus(status).label.lower()
        raise ActionRefused(f"A letter that is {label} cannot be {step.replace('_', ' ')}d now.")
    return allowed[status]
