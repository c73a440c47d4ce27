"""Who may act on a notice (ADR 0012: the notices' rules, built from the permission layer's primitives)."""


def is_recipient(user, notice) -> bool:
    """A notice is acknowledged by the person it was raised for, and only by them (anyone else: a 403)."""
    return notice.recipient_id == getattr(user, "pk", None)
