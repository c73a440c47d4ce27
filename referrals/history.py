"""The family's history: the one helper every action calls to record what it did.

Each change to a family's record is written twice, in one call: to the referral's own history (`ReferralEvent`,
with old and new values; kept and destroyed with the record) and to the append-only access log (`AccessEvent`,
ids only; outlives the record). ADR 0004 says why there are two. Cycles, outcomes and letters actions call
`record_change` with the referral their record belongs to, so the family's timeline shows their work too.
"""

from datetime import date

from accounts.audit import log_access
from accounts.models import AccessAction, User
from core.jobs import Job

from .models import FamilyChange, Referral, ReferralEvent

# The summaries' job (ADR 0022): a changed family's id goes to the task registered under this name by
# `dashboards.tasks`, after commit; this layer never imports it.
SUMMARIES = Job(name="dashboards.tasks.refresh_summaries", noun="Family summary")


def plain(value):
    """A value as the history stores it: dates as ISO strings, records by their display name."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed, in the order the fields were listed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def added(values: dict) -> dict:
    """{field: [None, value]} for each value given: the changes of something new, leaving blanks out."""
    return {k: [None, plain(v)] for k, v in values.items() if v not in (None, "", [], {})}


def record_change(
    *,
    referral: Referral,
    by: User,
    kind: str,
    summary: str,
    changes: dict | None = None,
    request=None,
    obj=None,
    access: AccessAction = AccessAction.UPDATE,
    detail: dict | None = None,
) -> ReferralEvent:
    """Write one change to the family's history and the access log together.

    `obj` is the record the access log names (the referral unless given: a consent, a visit, a letter); `detail`
    adds ids-only facts to the access-log row (never personal values).
    """
    event = ReferralEvent.objects.create(referral=referral, actor=by, kind=kind, summary=summary, changes=changes or {})
    note_family_changed(referral)
    log_access(action=access, request=request, user=by, obj=obj if obj is not None else referral, detail=detail)
    return event


def note_family_changed(referral: Referral) -> None:
    """Tell the dashboards' summaries that this family's record changed (ADR 0022): an outbox row in the caller's
    transaction, and the family's id to the summaries' task once it commits. Every change to a family comes through
    `record_change`; a change made any other way (a bulk import) must call this, or rebuild the summaries."""
    FamilyChange.objects.create(referral_id=referral.pk, service_id=referral.service_id)
    SUMMARIES.send_on_commit(referral.pk)
