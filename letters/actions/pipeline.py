"""The render pipeline: the task's one function, the sweep, and regeneration, on the shared job helper
(`core.jobs`, ADR 0014).

The letter's state is in the database, not the broker: `queued` → `rendering` (attempt counted and committed
first, so a worker killed mid-render still counts it) → `ready` with its file, or `failed` with the error after
LETTER_RENDER_MAX_ATTEMPTS. Rendering is idempotent: the file's name comes from the letter's id and content hash,
so a retry overwrites the same file, and the row lock held while rendering makes a duplicate task wait and then
find the letter ready. Actions send a letter by the job's name (`models.RENDER`) and never import the task.
"""

import calendar
import logging
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Perm, requires
from core.jobs import status_of, stuck_since
from core.refusals import ActionRefused
from referrals.history import record_change

from .. import rendering, storage
from ..models import RENDER, Letter
from ..states import IN_PIPELINE, LetterStatus, check_transition
from .approval import check_safe_to_send
from .common import check_current, locked

logger = logging.getLogger(__name__)
ERROR_MAX = 1000


class RenderFailed(Exception):
    """One attempt failed and another is allowed: the task retries (with backoff and jitter)."""


def _mark(letter: Letter, status: str, **fields) -> list[str]:
    for name, value in fields.items():
        setattr(letter, name, value)
    letter.status, letter.status_changed_at = status, timezone.now()
    return ["status", "status_changed_at", *fields]


def _set_status(letter: Letter, status: str, **fields) -> None:
    letter.save(update_fields=_mark(letter, status, **fields))


def _start_attempt(letter_id: int) -> bool:
    """Count the attempt and mark the letter rendering, in its own committed transaction. False: nothing to do."""
    started = RENDER.start_attempt(
        Letter.objects.all(),
        letter_id,
        max_attempts=settings.LETTER_RENDER_MAX_ATTEMPTS,
        may_start=lambda letter: letter.is_current and letter.status in IN_PIPELINE,
        start=lambda letter: _mark(
            letter, check_transition(letter.status, "start_render"), last_attempt_at=timezone.now()
        ),
        give_up=lambda letter, error: _mark(letter, LetterStatus.FAILED, error=error),
    )
    return started is not None


def _render_and_store(letter_id: int, started: float) -> str:
    """Under the row lock: render, write the file under its content-derived name, mark ready."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update(of=("self",)).select_related("referral").get(pk=letter_id)
        if not letter.is_current or letter.status != LetterStatus.RENDERING:
            return letter.status
        check_safe_to_send(letter)
        if settings.LETTER_RENDER_DELAY_SECONDS:
            time.sleep(settings.LETTER_RENDER_DELAY_SECONDS)
        pdf, _ = rendering.render_letter_pdf(letter)
        name = letter.file.storage.save(storage.file_name(letter), ContentFile(pdf))
        _set_status(letter, LetterStatus.READY, file=name, error="", render_seconds=time.perf_counter() - started)
        return LetterStatus.READY


def render_letter_file(*, letter_id: int) -> str:
    """The render task's body. Returns the letter's status (never patient data); raises RenderFailed to retry.

    `render_seconds` keeps the whole successful attempt (locks, HTML, PDF, file, status): the benchmark compares it
    with WeasyPrint alone."""
    started = time.perf_counter()
    if not _start_attempt(letter_id):
        return status_of(Letter.objects.all(), letter_id)
    try:
        return _render_and_store(letter_id, started)
    except Exception as error:
        unsafe = isinstance(error, ActionRefused | ValidationError)
        message = f"{type(error).__name__}: {error}"[:ERROR_MAX]
        logger.warning("Letter %s failed to render: %s", letter_id, type(error).__name__)
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=letter_id)
            if letter.status != LetterStatus.RENDERING:
                return letter.status
            if unsafe or letter.attempts >= settings.LETTER_RENDER_MAX_ATTEMPTS:
                _set_status(letter, LetterStatus.FAILED, error=message)
                return LetterStatus.FAILED
            _set_status(letter, LetterStatus.QUEUED, error=message)
        raise RenderFailed(f"Letter {letter_id}: attempt failed") from error


def sweep_stuck_letters(*, after_seconds: int | None = None) -> int:
    """Send again, once, every letter left queued or rendering past LETTER_SWEEP_AFTER_SECONDS (or `after_seconds`:
    a worker that starts passes WORKER_START_SWEEP_AFTER_SECONDS, so a crashed worker's letters need not wait): the
    broker may have lost it (Redis keeps nothing on disk here). PostgreSQL says what is owed; this makes the workers
    do it. A letter another worker is rendering is safe to send again: the duplicate waits for the row lock and
    then finds it ready."""
    wait = settings.LETTER_SWEEP_AFTER_SECONDS if after_seconds is None else after_seconds
    stuck = Letter.objects.stuck(stuck_since(wait))
    return RENDER.resend_stuck(stuck, clock="status_changed_at")


def _needs_regenerating(letter: Letter) -> bool:
    return letter.status == LetterStatus.FAILED or letter.status in IN_PIPELINE or letter.file_is_missing()


def _requeue(letter: Letter, *, by, request=None) -> None:
    _set_status(letter, check_transition(letter.status, "regenerate"), attempts=0, error="")
    record_change(
        referral=letter.referral,
        by=by,
        kind="letter_regenerated",
        summary=f"{letter.get_kind_display()} sent to be made again",
        request=request,
        obj=letter,
    )
    RENDER.send_on_commit(letter.pk)


@transaction.atomic
@requires(Perm.LETTER_WRITE, on="letter")
def regenerate_letter(*, letter: Letter, by, request=None) -> Letter:
    """Make a failed letter (or one whose file is missing) again, with a fresh count of attempts."""
    letter = locked(letter)
    check_current(letter)
    if not _needs_regenerating(letter):
        raise ActionRefused("This letter's PDF is there already, or it was never approved.")
    _requeue(letter, by=by, request=request)
    return letter


def month_range(month: date) -> tuple[datetime, datetime]:
    first = timezone.make_aware(datetime(month.year, month.month, 1))
    last_day = calendar.monthrange(month.year, month.month)[1]
    return first, first + timedelta(days=last_day)


@transaction.atomic
@requires(Perm.LETTER_COORDINATE)
def regenerate_month_letters(*, month: date, by, request=None) -> dict[str, int]:
    """Make again every approved letter of the month (by approval date) that is missing or failed, in the services
    the coordinator covers. Letters whose file is there are left alone. Returns how many were sent."""
    start, end = month_range(month)
    letters = (
        Letter.objects.visible_to(by, Perm.LETTER_COORDINATE)
        .current()
        .approved()
        .filter(approved_at__gte=start, approved_at__lt=end)
        .select_related("referral")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    sent = 0
    for letter in letters:
        if _needs_regenerating(letter):
            _requeue(letter, by=by, request=request)
            sent += 1
    return {"regenerated": sent}
