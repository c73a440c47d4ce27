"""The referral's statuses and the one table of allowed changes.

Later issues extend TRANSITIONS by name. Actions call `check_transition` before changing a status, so a refused
change (deciding twice, deciding a declined referral) never reaches the database.
"""

from django.db import models

from core.refusals import ActionRefused


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_INFORMATION = "awaiting_information", "Awaiting information"
    ACCEPTED = "accepted", "Accepted – waiting for allocation"
    ALLOCATED = "allocated", "Allocated"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DISCHARGED = "discharged", "Discharged"


OPEN_STATUSES = frozenset(
    {
        ReferralStatus.RECEIVED,
        ReferralStatus.AWAITING_INFORMATION,
        ReferralStatus.ACCEPTED,
        ReferralStatus.ALLOCATED,
    }
)

# name → (statuses it may start from, status it ends in)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "request_information": (frozenset({ReferralStatus.RECEIVED}), ReferralStatus.AWAITING_INFORMATION),
    "information_received": (frozenset({ReferralStatus.AWAITING_INFORMATION}), ReferralStatus.RECEIVED),
    "accept": (frozenset({ReferralStatus.RECEIVED}), ReferralStatus.ACCEPTED),
    "decline": (frozenset({ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED}), ReferralStatus.DECLINED),
    "withdraw": (OPEN_STATUSES, ReferralStatus.WITHDRAWN),
    "allocate": (frozenset({ReferralStatus.ACCEPTED}), ReferralStatus.ALLOCATED),
    "unallocate": (frozenset({ReferralStatus.ALLOCATED}), ReferralStatus.ACCEPTED),
    "discharge": (frozenset({ReferralStatus.ALLOCATED}), ReferralStatus.DISCHARGED),
    # Reopening puts the family back on the waiting list; the discharge app allocates them again when asked to.
    "reopen": (frozenset({ReferralStatus.DISCHARGED}), ReferralStatus.ACCEPTED),
}

# The end reason of the allocation a discharge ends. While the family stays discharged, that practitioner (and
# the trainee's supervisor) keep the family as their own case: the discharge letters and the footage's
# destruction are still theirs to finish.
DISCHARGED_END_REASON = "Discharged"

TRANSITION_LABELS = {
    "request_information": "request more information on",
    "information_received": "return to the queue",
    "accept": "accept",
    "decline": "decline",
    "withdraw": "withdraw",
    "allocate": "allocate",
    "unallocate": "unallocate",
    "discharge": "discharge",
    "reopen": "reopen",
}


class TransitionRefused(ActionRefused):
    """The referral's current status does not allow this change. The message is safe to show."""


def allowed_transitions(status: str) -> list[str]:
    """Names of the changes possible from `status`, for showing only the buttons that can work."""
    return [name for name, (sources, _target) in TRANSITIONS.items() if status in sources]


def check_transition(status: str, name: str) -> str:
    """Return the new status, or refuse with a message a coordinator understands."""
    sources, target = TRANSITIONS[name]
    if status not in sources:
        label = ReferralStatus(status).label.lower()
        raise TransitionRefused(
            f"You cannot {TRANSITION_LABELS[name]} this referral because it is {label}. "
            "It may have just been changed by someone else."
        )
    return target
