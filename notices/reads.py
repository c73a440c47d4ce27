"""What the notice pages, the home page and the dashboard read: a service's notice settings, a person's notices with
the families they name, and the risk answers escalated because nobody acted on them in time."""

from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

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
    first_parent = Parent.objects.filter(referral=OuterRef("pk")).order_by("order", "pk").values("name")[:1]
    referrals = (
        Referral.objects.visible_to(user)
        .filter(pk__in=ids)
        .only("pk", "child_unborn", "child_name", "child_date_of_birth", "expected_delivery_date")
        .annotate(first_parent_name=Subquery(first_parent))
    )
    labels = {}
    for referral in referrals:
        labels[referral.pk] = {
            "parent": referral.first_parent_name or "",
            "child": referral.child_display_name,
            "born": None if referral.child_unborn else referral.child_date_of_birth,
            "due": referral.expected_delivery_date if referral.child_unborn else None,
        }
    return labels


def with_families(user, notices: list[Notice]) -> list[Notice]:
    """Put each notice's family label on it (`notice.family`, None when the user may not open the family)."""
    labels = family_labels(user, [n.referral_id for n in notices])
    for notice in notices:
        notice.family = labels.get(notice.referral_id)
    return notices


def home_notices(user, *, limit: int, now: datetime | None = None) -> tuple[list[Notice], bool]:
    """A person's open notices, urgent first, then those a colleague handled in the last few days (so a
    coordinator sees "handled by Sam, 14:02: phoned the parent" rather than an "act on it" nobody needs to do).
    Open escalations are left out: they have their own red warning at the top. Returns the notices and whether there
    are more open ones than `limit`."""
    now = now or timezone.now()
    mine = Notice.objects.filter(recipient=user)  # not `for_user`: the family's record is not needed (`family`)
    open_ids = (
        mine.open().exclude(kind=NoticeKind.RISK_ESCALATED).order_by("-urgent", "-created_at", "-pk").values("pk")
    )
    handled_ids = (
        mine.filter(acknowledged_at__gte=now - HANDLED_SHOWN_FOR)
        .exclude(acknowledged_by=user)
        .order_by("-acknowledged_at", "-pk")
        .values("pk")
    )
    # Both lists in one query (each its own first rows), then put in their orders here.
    both = list(
        mine.filter(Q(pk__in=open_ids[: limit + 1]) | Q(pk__in=handled_ids[:limit])).select_related("acknowledged_by")
    )
    open_ = sorted((n for n in both if n.is_open), key=lambda n: (n.urgent, n.created_at, n.pk), reverse=True)
    handled = sorted((n for n in both if not n.is_open), key=lambda n: (n.acknowledged_at, n.pk), reverse=True)
    return with_families(user, open_[:limit] + handled), len(open_) > limit


def with_duty_contacts(notices: list[Notice]) -> list[Notice]:
    """Put the duty contact of each notice's service on it (`notice.duty_contact`, "" when none is set)."""
    service_ids = {n.referral.service_id for n in notices if n.referral_id}
    contacts = dict(NoticeSettings.objects.filter(service_id__in=service_ids).values_list("service_id", "duty_contact"))
    for notice in notices:
        notice.duty_contact = contacts.get(notice.referral.service_id, "") if notice.referral_id else ""
    return notices


def my_escalations(user) -> list[Notice]:
    """The person's open escalation notices: risk answers nobody acted on in time, newest first."""
    notices = list(
        Notice.objects.for_user(user).open().filter(kind=NoticeKind.RISK_ESCALATED).order_by("-created_at", "-pk")
    )
    return with_duty_contacts(with_families(user, notices))


def escalated_in_service(user, *, service, site=None) -> list[Notice]:
    """One escalation per risk answer still not acted on, for the families of `service` (and `site`) that `user`
    may open: the dashboard's red warning. One row per questionnaire however many people were told."""
    families = Referral.objects.visible_to(user).filter(service=service)
    if site is not None:
        families = families.filter(site=site)
    notices = (
        Notice.objects.open()
        .filter(kind=NoticeKind.RISK_ESCALATED, referral__in=families)
        .select_related("referral")
        .order_by("created_at", "pk")
    )
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
