"""What the notice pages, the home page and the dashboard read: a service's notice settings, a person's notices with
the families they name, and the risk answers escalated because nobody acted on them in time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.permissions import Perm, scope_shape
from core.lookups import among
from core.prepared import IDS, INSTANT, INT, prepared_by_shape
from referrals.models import Parent, Referral

from .models import Notice, NoticeKind, NoticeSettings, kinds_handled_with
from .working_hours import add_working_hours

# A notice someone else handled stays on the recipient's home page this long, marked handled, so they know.
HANDLED_SHOWN_FOR = timedelta(days=3)


def settings_for(service) -> NoticeSettings:
    """The service's notice settings as they stand, or unsaved defaults."""
    return NoticeSettings.objects.filter(service=service).first() or NoticeSettings(service=service)


def escalation_due_at(raised_at: datetime, policy: NoticeSettings) -> datetime:
    """When a risk answer raised at `raised_at` escalates if nobody has recorded the action by then."""
    return add_working_hours(
        raised_at,
        policy.escalate_after_hours,
        day_starts=policy.working_day_starts,
        day_ends=policy.working_day_ends,
    )


def family_labels(user, referral_ids) -> dict[int, dict]:
    """For the families `user` may open now: the first parent's name, the child and their date of birth (or due
    date), so a notice names the family and not only "R000013". Families they may no longer open are left out.
    One query: the first parent's name joined in, and only the columns the label shows."""
    ids = {i for i in referral_ids if i}
    if not ids:
        return {}
    labels = {}
    for referral in _labelled(scope_shape(user, Perm.REFERRAL_VIEW), user, sorted(ids)):
        labels[referral.pk] = {
            "parent": referral.first_parent_name or "",
            "child": referral.child_display_name,
            "born": None if referral.child_unborn else referral.child_date_of_birth,
            "due": referral.expected_delivery_date if referral.child_unborn else None,
        }
    return labels


@prepared_by_shape(IDS)
def _labelled(user, ids):
    """The families among `ids` the user may open, with what a label shows (compiled once per shape of the user's
    access, `core.prepared`: every home page asks)."""
    first_parent = Parent.objects.filter(referral=OuterRef("pk")).order_by("order", "pk").values("name")[:1]
    return (
        Referral.objects.visible_to(user)
        .filter(among("pk", ids))
        .only("pk", "child_unborn", "child_name", "child_date_of_birth", "expected_delivery_date")
        .annotate(first_parent_name=Subquery(first_parent))
    )


def with_families(user, notices: list[Notice]) -> list[Notice]:
    """Put each notice's family label on it (`notice.family`, None when the user may not open the family)."""
    labels = family_labels(user, [n.referral_id for n in notices])
    for notice in notices:
        notice.family = labels.get(notice.referral_id)
    return notices


@dataclass
class HomeNotices:
    """What the home page shows of a person's notices (`home_notices`)."""

    escalations: list[Notice]  # open risk answers nobody acted on in time, newest first, with `duty_contact`
    open: list[Notice]  # open notices, urgent first, at most the limit
    handled: list[Notice]  # handled by a colleague lately, latest first
    more: bool  # more open notices than the limit


def home_notices(user, *, limit: int, now: datetime | None = None) -> HomeNotices:
    """A person's open escalations (their own red warning at the top); their other open notices, urgent first; then
    those a colleague handled in the last few days (so a coordinator sees "handled by Sam, 14:02: phoned the parent"
    rather than an "act on it" nobody needs to do). One query for the three lists (each its own condition and limit,
    ordered here), one for their families, and one for the duty contacts when there are escalations."""
    now = now or timezone.now()
    rows = _home_notice_rows(limit, limit, user.pk, now - HANDLED_SHOWN_FOR)
    with_families(user, rows)
    escalations = [n for n in rows if n.is_open and n.kind == NoticeKind.RISK_ESCALATED]
    open_ = [n for n in rows if n.is_open and n.kind != NoticeKind.RISK_ESCALATED]
    handled = [n for n in rows if not n.is_open]
    return HomeNotices(
        escalations=with_duty_contacts(sorted(escalations, key=lambda n: (n.created_at, n.pk), reverse=True)),
        open=sorted(open_, key=lambda n: (n.urgent, n.created_at, n.pk), reverse=True)[:limit],
        handled=sorted(handled, key=lambda n: (n.acknowledged_at, n.pk), reverse=True),
        more=len(open_) > limit,
    )


@prepared_by_shape(INT, INSTANT)
def _home_notice_rows(limit, user_id, handled_since):
    """`home_notices`' one query, compiled once per limit (`core.prepared`): every home page asks."""
    mine = Notice.objects.filter(recipient_id=user_id)  # not `for_user`: the family's record is not needed
    escalated = mine.open().filter(kind=NoticeKind.RISK_ESCALATED).values("pk")
    open_ids = (
        mine.open().exclude(kind=NoticeKind.RISK_ESCALATED).order_by("-urgent", "-created_at", "-pk").values("pk")
    )
    handled_ids = (
        mine.filter(acknowledged_at__gte=handled_since)
        .exclude(acknowledged_by_id=user_id)
        .order_by("-acknowledged_at", "-pk")
        .values("pk")
    )
    return (
        mine.filter(Q(pk__in=escalated) | Q(pk__in=open_ids[: limit + 1]) | Q(pk__in=handled_ids[:limit]))
        .select_related("acknowledged_by")
        .annotate(family_service_id=F("referral__service_id"))
    )


def _service_id(notice: Notice) -> int:
    """The service of the notice's family: annotated (`home_notices`), or from the family loaded with it."""
    annotated = getattr(notice, "family_service_id", None)
    return annotated if annotated is not None else notice.referral.service_id


def with_duty_contacts(notices: list[Notice]) -> list[Notice]:
    """Put the duty contact of each notice's service on it (`notice.duty_contact`, "" when none is set)."""
    if not notices:
        return notices
    service_ids = {_service_id(n) for n in notices if n.referral_id}
    contacts = dict(NoticeSettings.objects.filter(service_id__in=service_ids).values_list("service_id", "duty_contact"))
    for notice in notices:
        notice.duty_contact = contacts.get(_service_id(notice), "") if notice.referral_id else ""
    return notices


def _escalations(user, families):
    return (
        Notice.objects.open()
        .filter(kind=NoticeKind.RISK_ESCALATED, referral__in=families)
        .select_related("referral")
        .order_by("created_at", "pk")
    )


@prepared_by_shape()
def _escalated_in_service(user, service_id):
    return _escalations(user, Referral.objects.visible_to(user).filter(service_id=service_id))


@prepared_by_shape()
def _escalated_at_site(user, service_id, site_id):
    return _escalations(user, Referral.objects.visible_to(user).filter(service_id=service_id, site_id=site_id))


def escalated_in_service(user, *, service, site=None) -> list[Notice]:
    """One escalation per risk answer still not acted on, for the families of `service` (and `site`) that `user`
    may open: the dashboard's red warning. One row per questionnaire however many people were told. Read with SQL
    compiled once per shape of the user's access (`core.prepared`): every dashboard page asks."""
    shape = scope_shape(user, Perm.REFERRAL_VIEW)
    if site is None:
        notices = _escalated_in_service(shape, user, service.pk)
    else:
        notices = _escalated_at_site(shape, user, service.pk, site.pk)
    first: dict[tuple[str, str], Notice] = {}
    for notice in notices:
        first.setdefault((notice.object_type, notice.object_id), notice)
    return with_duty_contacts(with_families(user, list(first.values())))


def handled_together(notice: Notice):
    """This notice and every other of the kinds handled together about the same record (open or not)."""
    if not notice.object_id:
        return Notice.objects.filter(pk=notice.pk)
    return Notice.objects.filter(
        kind__in=kinds_handled_with(notice.kind), object_type=notice.object_type, object_id=notice.object_id
    )


def distinct_actions(notices) -> list[Notice]:
    """One notice per action recorded: the notices closed together share who, when and what, so a risk answer
    told to four people shows its action once."""
    seen: dict[tuple, Notice] = {}
    for notice in notices:
        if not notice.is_open:
            seen.setdefault((notice.acknowledged_by_id, notice.acknowledged_at, notice.action_taken), notice)
    return list(seen.values())
