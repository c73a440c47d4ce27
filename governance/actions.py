"""Retention reviews, two-person destruction and subject access requests. Keyword-only, one transaction each.

Destruction removes the family's referral and everything that cascades from it (people, consents, visits, cycles,
measures, letters, notices, history), deletes the signed consent forms and letter PDFs through the storage API,
and leaves a `DestroyedRecord` tombstone. The access log has no foreign keys, so its rows stay.
"""

import logging
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import partitions
from accounts.audit import log_access
from accounts.models import AccessAction, User
from accounts.permissions import Perm, has_permission, requires
from core.refusals import ActionRefused
from core.text import check_text
from governance.reads.retention import due_for_review, effective_review_date, rule_for
from notices.actions import raise_notice
from referrals.actions import lock_referral
from referrals.history import record_change
from referrals.models import Parent, Referral
from vault import reads as vault_reads

from .models import (
    AccessLogMonthDropped,
    DestroyedRecord,
    RetentionReview,
    ReviewStatus,
    SarStatus,
    SubjectAccessRequest,
)
from .rules import may_approve_destruction

NOTICE_KIND = "retention_review_due"
logger = logging.getLogger(__name__)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason"})
    check_text(reason, field="reason", label="Reason")
    return reason


def list_reviews_due(*, today: date | None = None) -> list[RetentionReview]:
    """The monthly sweep: open a review for each closed record whose date has come, and tell the service's reviewers.

    Idempotent: a record with an open review is skipped, and notices are raised once per review and person.
    """
    created = []
    for referral, due in due_for_review(today):
        with transaction.atomic():
            review, made = RetentionReview.objects.get_or_create(
                referral=referral,
                status__in=[ReviewStatus.DUE, ReviewStatus.PROPOSED],
                defaults={"service": referral.service, "due_on": due, "status": ReviewStatus.DUE},
            )
            if made:
                created.append(review)
                _notify_reviewers(review)
    return created


def _notify_reviewers(review: RetentionReview) -> None:
    referral = review.referral
    for user in User.objects.filter(memberships__service=referral.service, is_active=True).distinct():
        if has_permission(user, Perm.RECORD_DESTROY, obj=referral):
            raise_notice(
                recipient=user,
                kind=NOTICE_KIND,
                summary=f"Record {referral.reference} is due for retention review: keep it longer or propose "
                "destruction.",
                obj=review,
            )


def _open_review(review: RetentionReview, status: str) -> RetentionReview:
    review = RetentionReview.objects.select_for_update().select_related("referral").get(pk=review.pk)
    if review.status != status:
        raise ActionRefused(f"This review is no longer {ReviewStatus(status).label.lower()}.")
    return review


@transaction.atomic
@requires(Perm.RECORD_DESTROY, on="review.referral")
def extend_retention(*, review: RetentionReview, until: date, reason: str, by: User, request=None) -> RetentionReview:
    """Keep the record longer: a new review date after today, and why (for example an open complaint)."""
    review = _open_review(review, ReviewStatus.DUE)
    reason = _reason(reason)
    if until is None or until <= timezone.localdate():
        raise ValidationError({"until": "The new review date must be in the future"})
    review.status, review.extended_to, review.reason = ReviewStatus.EXTENDED, until, reason
    review.reviewed_by, review.reviewed_at = by, timezone.now()
    review.save()
    record_change(
        referral=review.referral,
        by=by,
        kind="retention_extended",
        summary="Retention extended",
        changes={"review_date": [review.due_on.isoformat(), until.isoformat()]},
        request=request,
        obj=review,
    )
    return review


@transaction.atomic
@requires(Perm.RECORD_DESTROY, on="review.referral")
def propose_destruction(*, review: RetentionReview, reason: str = "", by: User, request=None) -> RetentionReview:
    """The first of two people: propose that the record be destroyed. Someone else must approve."""
    review = _open_review(review, ReviewStatus.DUE)
    if review.due_on > timezone.localdate():
        raise ActionRefused("The record's review date has not come yet.")
    review.status, review.reason = ReviewStatus.PROPOSED, (reason or "").strip()
    check_text(review.reason, field="reason", label="Reason")
    review.reviewed_by, review.reviewed_at = by, timezone.now()
    review.save()
    record_change(
        referral=review.referral,
        by=by,
        kind="destruction_proposed",
        summary="Destruction proposed",
        changes={},
        request=request,
        obj=review,
    )
    return review


@transaction.atomic
@requires(may_approve_destruction, on="review")
def approve_destruction(*, review: RetentionReview, by: User, request=None) -> DestroyedRecord:
    """The second person: destroy the family's record, its uploads and letter files, and leave the tombstone."""
    review = _open_review(review, ReviewStatus.PROPOSED)
    referral = lock_referral(review.referral_id)
    rule = rule_for(referral.service)
    if (effective_review_date(referral, rule) or date.max) > timezone.localdate():
        raise ActionRefused("The record's review date has not come yet.")
    tombstone = DestroyedRecord.objects.create(
        referral_id=referral.pk,
        reference=referral.reference,
        service_id=referral.service_id,
        proposed_by_id=review.reviewed_by_id,
        approved_by_id=by.pk,
        rule=str(rule),
        review_due_on=review.due_on,
    )
    files = _files_of(referral)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"destroyed": True})
    referral.delete()
    transaction.on_commit(lambda: _delete_files(files))
    return tombstone


def _files_of(referral: Referral) -> list:
    """(storage, name) of every upload and letter file of the family."""
    found = []
    for consent in referral.consents.exclude(signed_form=""):
        found.append((consent.signed_form.storage, consent.signed_form.name))
    for letter in referral.letters.exclude(file=""):
        found.append((letter.file.storage, letter.file.name))
    # The film vault's sealed films and clips (their family key is deleted with the record: crypto-shredded).
    found += vault_reads.stored_files(referral.pk)
    return found


def _delete_files(files: list) -> None:
    for storage, name in files:
        storage.delete(name)


@transaction.atomic
@requires(Perm.SUBJECT_ACCESS, on="parent.referral")
def open_subject_access_request(*, parent: Parent, received_on: date, by: User, request=None) -> SubjectAccessRequest:
    """Start one person's subject access request (a parent on the referral), as a draft for review."""
    referral = parent.referral
    if received_on is None or received_on > timezone.localdate():
        raise ValidationError({"received_on": "Enter the date the request was received (today or earlier)"})
    sar = SubjectAccessRequest.objects.create(referral=referral, parent=parent, received_on=received_on, created_by=by)
    record_change(
        referral=referral,
        by=by,
        kind="subject_access_opened",
        summary="Subject access request recorded",
        changes={"person": [None, parent.pk]},
        request=request,
        obj=sar,
    )
    return sar


@transaction.atomic
@requires(Perm.SUBJECT_ACCESS, on="sar.referral")
def review_subject_access_request(
    *, sar: SubjectAccessRequest, redact: list[str], include_family_text: list[str], by: User, request=None
) -> SubjectAccessRequest:
    """Mark the fields withheld from the export and the family free-text judged safe to include."""
    from governance.reads.subject_access import FAMILY_TEXT_FIELDS, redactable_keys

    sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
    if sar.status == SarStatus.RELEASED:
        raise ActionRefused("This request was already released; open a new one to change what is sent.")
    known = redactable_keys(sar)
    unknown = sorted(set(redact) - known)
    if unknown:
        raise ValidationError({"redact": f"Unknown fields: {', '.join(unknown)}"})
    bad = sorted(set(include_family_text) - set(FAMILY_TEXT_FIELDS))
    if bad:
        raise ValidationError({"include_family_text": f"Unknown fields: {', '.join(bad)}"})
    before = {"redact": sar.redact, "include_family_text": sar.include_family_text}
    sar.redact, sar.include_family_text = sorted(set(redact)), sorted(set(include_family_text))
    sar.status, sar.reviewed_by, sar.reviewed_at = SarStatus.REVIEWED, by, timezone.now()
    sar.save()
    record_change(
        referral=sar.referral,
        by=by,
        kind="subject_access_reviewed",
        summary="Subject access request reviewed",
        changes={k: [before[k], getattr(sar, k)] for k in before if before[k] != getattr(sar, k)},
        request=request,
        obj=sar,
    )
    return sar


@transaction.atomic
@requires(Perm.SUBJECT_ACCESS, on="sar.referral")
def release_subject_access_request(*, sar: SubjectAccessRequest, by: User, request=None) -> bytes:
    """Release the reviewed export (a ZIP) and log it. Only a reviewed request can be released."""
    from governance.reads.subject_access import build_export

    sar = SubjectAccessRequest.objects.select_for_update().select_related("referral", "parent").get(pk=sar.pk)
    if sar.status == SarStatus.DRAFT:
        raise ActionRefused("Review the export and mark what to redact before releasing it.")
    if sar.status == SarStatus.REVIEWED:
        sar.status, sar.released_by, sar.released_at = SarStatus.RELEASED, by, timezone.now()
        sar.save()
        record_change(
            referral=sar.referral,
            by=by,
            kind="subject_access_released",
            summary="Subject access export released",
            changes={},
            request=request,
            obj=sar,
        )
    log_access(
        action=AccessAction.EXPORT,
        request=request,
        user=by,
        obj=sar,
        detail={"referral": sar.referral_id, "parent": sar.parent_id, "redacted": sar.redact},
    )
    return build_export(sar)


def drop_expired_access_log_partitions(
    *, today: date | None = None, retention_months: int | None = None
) -> list[AccessLogMonthDropped]:
    """Monthly: remove whole months of the access log older than ACCESS_LOG_RETENTION_MONTHS (ADR 0023).

    A month goes only when all of it is older than the cut-off (the first day of this month, that many months
    back): DETACH and DROP of its partition, recorded with its row count in the same transaction. Rows are never
    deleted one by one (the append-only trigger would refuse), the default partition is never dropped, and 0 (the
    default) keeps everything. On SQLite the log is one plain table and nothing is removed.
    """
    months = settings.ACCESS_LOG_RETENTION_MONTHS if retention_months is None else retention_months
    if months <= 0 or not partitions.is_partitioned():
        return []
    cutoff = partitions.month_start(today or timezone.now().astimezone(UTC).date(), -months)
    cutoff_at = datetime(cutoff.year, cutoff.month, 1, tzinfo=UTC)
    dropped = []
    for partition in partitions.partitions():
        if partition.end is None or partition.end > cutoff_at:
            continue
        with transaction.atomic():
            record = AccessLogMonthDropped.objects.create(
                partition=partition.name,
                month_from=partition.start,
                month_to=partition.end,
                rows=partitions.partition_rows(partition.name),
                retention_months=months,
            )
            partitions.detach_and_drop(partition.name)
        logger.info("access log: dropped %s (%s rows) under a %s-month retention", partition.name, record.rows, months)
        dropped.append(record)
    return dropped
