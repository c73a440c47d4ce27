"""Who may do what, in one place.

Roles map to permissions as data (ROLE_PERMISSIONS) and each role has a scope (ROLE_SCOPE): a coordinator or
manager acts on what their memberships cover (service, optionally some sites); a practitioner on the families
allocated to them; a supervisor on their trainees' families. Pages and the API both use `has_permission`
for a single record and `scope_q` (through `visible_to(user)` queryset methods) for lists, so the two cannot
drift apart. Being a platform superuser grants nothing here: the Django admin never edits families' records.
`docs/permissions.md` is this module as a table; a test keeps them in step.

Where rules live (ADR 0012): a rule that needs only accounts data (roles, memberships, sites) lives here; a rule
that needs an app's models lives in that app's `rules.py` (`referrals.rules`, `letters.rules`, `cycles.rules`,
`dashboards.rules`), built only from this module's primitives (`has_permission`, `scope_q`, `memberships_with`,
...). Views, API views, serializers, reads and actions ask those functions; none of them spells out a rule. Actions
declare what they need with `requires`, which refuses before their body runs.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q

from accounts.models import Membership, Role
from core.prepared import prepared


class Perm(StrEnum):
    REFERRAL_CREATE = "referral.create"
    REFERRAL_VIEW = "referral.view"
    REFERRAL_SEARCH = "referral.search"
    REFERRAL_UPDATE = "referral.update"
    REFERRAL_TRIAGE = "referral.triage"
    REFERRAL_WITHDRAW = "referral.withdraw"
    REFERRAL_ALLOCATE = "referral.allocate"
    TRIAGE_QUEUE_VIEW = "triage_queue.view"
    WAITING_LIST_VIEW = "waiting_list.view"
    CASELOAD_VIEW = "caseload.view"
    PRACTITIONER_VIEW = "practitioner.view"
    PRACTITIONER_MANAGE = "practitioner.manage"
    STAFF_MANAGE = "staff.manage"
    CASEWORK_RECORD = "casework.record"
    SUPERVISION_RECORD = "supervision.record"
    TRAINEE_PROGRESS_VIEW = "trainee_progress.view"
    FOOTAGE_DESTRUCTION_CONFIRM = "footage.confirm_destruction"
    OUTCOME_RECORD = "outcome.record"
    EVALUATION_EXPORT = "evaluation.export"
    LETTER_WRITE = "letter.write"
    LETTER_COORDINATE = "letter.coordinate"
    LETTER_TEMPLATE_MANAGE = "letter_template.manage"
    NOTICE_SETTINGS_MANAGE = "notice_settings.manage"
    RECORD_DESTROY = "record.destroy"
    SUBJECT_ACCESS = "subject_access.manage"
    AUDIT_VIEW = "audit.view"
    REFERRAL_DISCHARGE = "referral.discharge"
    REFERRAL_REOPEN = "referral.reopen"
    DASHBOARD_VIEW = "dashboard.view"
    RECORD_MARK_IN_ERROR = "record.mark_entered_in_error"


class Scope(StrEnum):
    SERVICE = "service"  # the membership's service, limited to its sites if it lists any
    OWN_CASES = "own_cases"  # families allocated to the user
    SUPERVISED_CASES = "supervised_cases"  # families allocated to the user's trainees


PERMISSION_DESCRIPTIONS: dict[Perm, str] = {
    Perm.REFERRAL_CREATE: "record a new referral",
    Perm.REFERRAL_VIEW: "open a family's referral record",
    Perm.REFERRAL_SEARCH: "find a family by NHS number, name, date of birth or postcode",
    Perm.REFERRAL_UPDATE: "correct a referral, record a birth",
    Perm.REFERRAL_TRIAGE: "accept, decline, request information, return to the queue",
    Perm.REFERRAL_WITHDRAW: "withdraw an open referral",
    Perm.REFERRAL_ALLOCATE: "allocate, reallocate, unallocate",
    Perm.TRIAGE_QUEUE_VIEW: "see the triage queue",
    Perm.WAITING_LIST_VIEW: "see the waiting list",
    Perm.CASELOAD_VIEW: "see caseloads",
    Perm.PRACTITIONER_VIEW: "see practitioners, their capacity and the caseload table",
    Perm.PRACTITIONER_MANAGE: "change capacity, protected days, supervisor, pauses",
    Perm.STAFF_MANAGE: "list staff, reset a colleague's two-step sign-in",
    Perm.CASEWORK_RECORD: "record consent, helping questions, visits, liaison, cycles and footage details",
    Perm.SUPERVISION_RECORD: "record supervision, sign off a trainee's cycles, record a stage reached",
    Perm.TRAINEE_PROGRESS_VIEW: "see a trainee's progress towards their stage targets",
    Perm.FOOTAGE_DESTRUCTION_CONFIRM: "confirm that a family's footage was destroyed",
    Perm.OUTCOME_RECORD: "complete or correct an outcome measure with the family",
    Perm.EVALUATION_EXPORT: "download the pseudonymised evaluation export of families who consented",
    Perm.LETTER_WRITE: "draft, edit, preview, approve and mark sent a family's letters (a trainee's need their "
    "supervisor's approval)",
    Perm.LETTER_COORDINATE: "confirm letters to a bereaved family, regenerate a month's letters",
    Perm.LETTER_TEMPLATE_MANAGE: "set the service's letterhead, sign-off and the wording of each kind of letter",
    Perm.NOTICE_SETTINGS_MANAGE: "set when a risk answer nobody acted on escalates, the working day and who is told",
    Perm.RECORD_DESTROY: "review closed records due under the retention rule: extend, propose or approve destruction "
    "(a different person approves)",
    Perm.SUBJECT_ACCESS: "prepare, redact and release one person's subject access export",
    Perm.AUDIT_VIEW: "see and export who looked at or changed their service's families' records, and what their staff "
    "opened",
    Perm.REFERRAL_DISCHARGE: "discharge a family at the end of their VIG work (and draft the discharge letters)",
    Perm.REFERRAL_REOPEN: "reopen a discharged family's referral, with a reason",
    Perm.DASHBOARD_VIEW: "see the service dashboard, the lists behind its figures, and export them and the "
    "commissioner return",
    Perm.RECORD_MARK_IN_ERROR: "mark any casework record of the service entered in error, with the reason (its "
    "author may mark their own)",
}

SCOPE_DESCRIPTIONS: dict[str, str] = {
    "service": "records of the membership's service, limited to its sites when the membership lists any",
    "own_cases": "families actively allocated to them (and, while discharged, those they held at discharge)",
    "supervised_cases": "families actively allocated to their trainees (and, while discharged, those at discharge)",
}

ROLE_SCOPE: dict[str, Scope] = {
    Role.COORDINATOR: Scope.SERVICE,
    Role.MANAGER: Scope.SERVICE,
    Role.SERVICE_ADMIN: Scope.SERVICE,
    Role.PRACTITIONER: Scope.OWN_CASES,
    Role.SUPERVISOR: Scope.SUPERVISED_CASES,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.COORDINATOR: frozenset(
        {
            Perm.REFERRAL_CREATE,
            Perm.REFERRAL_VIEW,
            Perm.REFERRAL_SEARCH,
            Perm.REFERRAL_UPDATE,
            Perm.REFERRAL_TRIAGE,
            Perm.REFERRAL_WITHDRAW,
            Perm.REFERRAL_ALLOCATE,
            Perm.TRIAGE_QUEUE_VIEW,
            Perm.WAITING_LIST_VIEW,
            Perm.CASELOAD_VIEW,
            Perm.PRACTITIONER_VIEW,
            Perm.PRACTITIONER_MANAGE,
            Perm.TRAINEE_PROGRESS_VIEW,
            Perm.FOOTAGE_DESTRUCTION_CONFIRM,
            Perm.OUTCOME_RECORD,
            Perm.EVALUATION_EXPORT,
            Perm.LETTER_WRITE,
            Perm.LETTER_COORDINATE,
            Perm.REFERRAL_DISCHARGE,
            Perm.REFERRAL_REOPEN,
            Perm.DASHBOARD_VIEW,
            Perm.RECORD_MARK_IN_ERROR,
        }
    ),
    Role.MANAGER: frozenset(
        {
            Perm.REFERRAL_VIEW,
            Perm.REFERRAL_SEARCH,
            Perm.WAITING_LIST_VIEW,
            Perm.CASELOAD_VIEW,
            Perm.PRACTITIONER_VIEW,
            Perm.TRAINEE_PROGRESS_VIEW,
            Perm.EVALUATION_EXPORT,
            Perm.RECORD_DESTROY,
            Perm.SUBJECT_ACCESS,
            Perm.AUDIT_VIEW,
            Perm.DASHBOARD_VIEW,
        }
    ),
    Role.SERVICE_ADMIN: frozenset(
        {
            Perm.STAFF_MANAGE,
            Perm.PRACTITIONER_VIEW,
            Perm.PRACTITIONER_MANAGE,
            Perm.LETTER_TEMPLATE_MANAGE,
            Perm.NOTICE_SETTINGS_MANAGE,
            Perm.RECORD_DESTROY,
            Perm.SUBJECT_ACCESS,
            Perm.AUDIT_VIEW,
        }
    ),
    Role.PRACTITIONER: frozenset(
        {
            Perm.REFERRAL_VIEW,
            Perm.REFERRAL_UPDATE,
            Perm.CASELOAD_VIEW,
            Perm.CASEWORK_RECORD,
            Perm.TRAINEE_PROGRESS_VIEW,
            Perm.FOOTAGE_DESTRUCTION_CONFIRM,
            Perm.OUTCOME_RECORD,
            Perm.LETTER_WRITE,
            Perm.REFERRAL_DISCHARGE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {Perm.REFERRAL_VIEW, Perm.CASELOAD_VIEW, Perm.SUPERVISION_RECORD, Perm.TRAINEE_PROGRESS_VIEW}
    ),
}


def memberships_for(user) -> list[Membership]:
    """The user's active memberships with their site ids, loaded once per request (one query).

    The site ids come with the memberships, a row per site limit (a membership limited to no site has one row with
    none): every request asks this, and reading the limits separately, or prefetching them as `Site`s, cost each
    request a query, or about a millisecond. `Membership.permission_site_ids` reads the same `site_ids`, so a check
    on one of these memberships needs no query either."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_vig_memberships", None)
    if cached is None:
        found: dict[int, Membership] = {}
        sites: dict[int, set[int]] = {}
        for membership in _active_memberships(user.pk):
            found.setdefault(membership.pk, membership)
            limits = sites.setdefault(membership.pk, set())
            if membership.limit_site_id is not None:
                limits.add(membership.limit_site_id)
        cached = list(found.values())
        for kept in cached:
            del kept.limit_site_id
            kept.site_ids = frozenset(sites[kept.pk])
        user._vig_memberships = cached
    return cached


@prepared()
def _active_memberships(user_id):
    """The user's active memberships with their services, a row for each site a membership is limited to
    (compiled once: every request asks). The memberships keep the order of their first rows: the model's own
    (service, role), as when they were read without their sites."""
    return (
        Membership.objects.active()
        .filter(user_id=user_id)
        .select_related("service")
        .annotate(limit_site_id=F("sites__id"))
    )


def forget_memberships(user) -> None:
    """Drop the per-request cache after memberships change (tests, admin actions)."""
    if hasattr(user, "_vig_memberships"):
        del user._vig_memberships


def memberships_with(user, perm: Perm) -> list[Membership]:
    """The memberships through which the user holds `perm`."""
    return [m for m in memberships_for(user) if perm in ROLE_PERMISSIONS.get(m.role, ())]


def services_with(user, perm: Perm) -> set[int]:
    """Ids of the services in which the user holds `perm` somewhere."""
    return {m.service_id for m in memberships_with(user, perm)}


def _site_ids_of(obj) -> set[int] | None:
    if hasattr(obj, "permission_site_ids"):
        ids = obj.permission_site_ids()
        return set(ids) if ids is not None else None
    site_id = getattr(obj, "site_id", None)
    return {site_id} if site_id is not None else None


def _covers(membership: Membership, obj, user) -> bool:
    if getattr(obj, "service_id", None) != membership.service_id:
        return False
    scope = ROLE_SCOPE[membership.role]
    if scope is Scope.SERVICE:
        obj_sites = _site_ids_of(obj)
        return not membership.site_ids or obj_sites is None or bool(obj_sites & membership.site_ids)
    if scope is Scope.OWN_CASES:
        return user.pk in getattr(obj, "case_practitioner_ids", lambda: set())()
    return user.pk in getattr(obj, "case_supervisor_ids", lambda: set())()


def has_permission(user, perm: Perm, *, obj=None) -> bool:
    """May `user` do `perm` (to `obj`, if given)? Without an object: anywhere at all."""
    return any(obj is None or _covers(membership, obj, user) for membership in memberships_with(user, perm))


def scope_q(
    user,
    perm: Perm,
    *,
    service: str = "service",
    site: str = "site",
    own_cases: Callable[[object], Q] | None = None,
    supervised_cases: Callable[[object], Q] | None = None,
) -> Q:
    """A filter matching exactly the rows `has_permission` would allow, for list pages and the API."""
    allowed = Q(pk__in=[])
    for membership in memberships_with(user, perm):
        in_service = Q(**{service: membership.service_id})
        scope = ROLE_SCOPE[membership.role]
        if scope is Scope.SERVICE:
            if membership.site_ids and site:
                in_service &= Q(**{f"{site}__in": sorted(membership.site_ids)})
            allowed |= in_service
        elif scope is Scope.OWN_CASES and own_cases is not None:
            allowed |= in_service & own_cases(user)
        elif scope is Scope.SUPERVISED_CASES and supervised_cases is not None:
            allowed |= in_service & supervised_cases(user)
    return allowed


def scope_shape(user, perm: Perm) -> tuple:
    """Everything `scope_q(user, perm)` builds its condition from: the user and, for each membership holding `perm`,
    its role, service and sites. Two requests with the same shape get the same SQL, so a read compiled for one serves
    the other (`core.prepared.PreparedByShape`); a membership changed, added or ended is a new shape."""
    return (
        getattr(user, "pk", None),
        perm,
        tuple(sorted((m.role, m.service_id, tuple(sorted(m.site_ids))) for m in memberships_with(user, perm))),
    )


def service_scope_q(user, perm: Perm, service_id: int, *, path: str = "") -> Q:
    """Rows of one service the user may see with `perm` through a service-wide role (its sites, if limited), as
    one plain condition; `path` reaches the referral from another model ("referral"). Fails closed: no such role
    in that service matches nothing.

    The same rule as `scope_q` narrowed to one service, written once as `service_id = X [AND site_id IN (…)]` so
    that a query joining from allocations, visits or notices can use it in the join instead of `IN (SELECT …)`
    over every referral of the service (the dashboards read this way).
    """
    prefix = f"{path}__" if path else ""
    covering = [
        m for m in memberships_with(user, perm) if m.service_id == service_id and ROLE_SCOPE[m.role] is Scope.SERVICE
    ]
    if not covering:
        return Q(pk__in=[])
    allowed = Q(**{f"{prefix}service_id": service_id})
    if all(m.site_ids for m in covering):
        allowed &= Q(**{f"{prefix}site_id__in": sorted(set().union(*(m.site_ids for m in covering)))})
    return allowed


def shares_a_service(user, service_id: int) -> bool:
    """Does the user hold any role in this service? Staff of other services are not revealed (404, not 403)."""
    return any(m.service_id == service_id for m in memberships_for(user))


def can_open_practitioner(user, membership: Membership) -> bool:
    """A practitioner's caseload and details: their own, their trainee's (as supervisor), or caseload.view in
    their service (coordinators and managers, within their sites)."""
    details = membership.details_or_none
    return (
        membership.user_id == user.pk
        or has_permission(user, Perm.CASELOAD_VIEW, obj=membership)
        or (details is not None and details.supervisor_id == user.pk)
    )


def can_manage_practitioner(user, membership: Membership) -> bool:
    """A practitioner's details (capacity, protected days, supervisor, pauses): coordinators and service admins of
    their service, within their sites. Their families stay out of reach unless `can_open_practitioner` too."""
    return has_permission(user, Perm.PRACTITIONER_MANAGE, obj=membership)


def may_reset_second_factor(user, colleague) -> bool:
    """A colleague's two-step sign-in is reset by someone who manages staff in one of the colleague's services, and
    never by the person themself (a lost phone is not proof to oneself): both are about who acts, a 403."""
    if colleague.pk == getattr(user, "pk", None):
        return False
    return any(has_permission(user, Perm.STAFF_MANAGE, obj=m) for m in colleague.memberships.all())


def caseload_service_ids(user, role: str) -> set[int]:
    """The services in which `user` holds caseload.view through `role` (practitioner: their own families;
    supervisor: their trainees'). A family left behind in a service they have left is not theirs to list."""
    return {m.service_id for m in memberships_with(user, Perm.CASELOAD_VIEW) if m.role == role}


def may_mark_entered_in_error(user, record, *, family=None) -> bool:
    """Who may mark a casework record entered in error: a coordinator of its service (within their sites), or its
    author while they may still open the family's record (or, for a supervision session, still work in the
    service). Nobody else: a colleague's wrong entry is corrected by them or by a coordinator, who answer for it.
    `family`: the record's family when the caller holds it already (a list page, so no query per row).
    """
    scope = family or record.error_family() or record
    if has_permission(user, Perm.RECORD_MARK_IN_ERROR, obj=scope):
        return True
    if record.error_author_id != user.pk:
        return False
    if record.error_family_path is None:
        return shares_a_service(user, record.service_id)
    return has_permission(user, Perm.REFERRAL_VIEW, obj=scope)


def require_permission(perm: Perm):
    """View decorator for pages without a single record: 403 unless the user holds `perm` somewhere."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_permission(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm
        return wrapped

    return decorator


def check_permission(user, perm: Perm, *, obj=None) -> None:
    """Raise PermissionDenied (403, logged) unless allowed; for views that already hold the record."""
    if not has_permission(user, perm, obj=obj):
        raise PermissionDenied


@dataclass(frozen=True)
class InService:
    """What a rule about a whole service (or one of its sites) is checked on when there is no record yet: a new
    referral before it is saved, a service's letter settings. Carries only what `has_permission` reads."""

    service_id: int
    site_id: int | None = None


def requires(
    rule: Perm | Callable[[object, object], bool], *, on: str | Callable[[dict], object] | None = None, by: str = "by"
):
    """Action decorator: refuse (PermissionDenied, a logged 403) before the action's body runs unless the acting
    user may do it, so no action hand-writes the check and none can forget it.

    `rule` is a permission (held on the object) or an app's rule from its `rules.py`, `rule(user, obj) -> bool`
    (`letters.rules.may_approve_letter`). `on` names the keyword argument holding the object, with a dotted path
    to reach through it (`on="visit.referral"`), or is a function of the keyword arguments for an object the action
    has yet to make (`InService`); None asks whether the user holds the permission anywhere. `by` names the
    keyword holding the acting user. The check reads the object as the caller passed it; the action then locks the
    rows it changes and checks their state (ActionRefused, 409): who may act is decided here, what the record's
    state allows in the body.
    """

    def target(kwargs: dict):
        if on is None:
            return None
        if callable(on):
            return on(kwargs)
        head, _, rest = on.partition(".")
        value = kwargs[head]
        return attrgetter(rest)(value) if rest else value

    def allowed(user, obj) -> bool:
        if isinstance(rule, Perm):
            return has_permission(user, rule, obj=obj)
        return rule(user, obj)

    def decorator(action):
        parameters = inspect.signature(action).parameters
        for name in (by, on.partition(".")[0] if isinstance(on, str) else None):
            if name is not None and (
                name not in parameters or parameters[name].kind is not inspect.Parameter.KEYWORD_ONLY
            ):
                raise TypeError(f"{action.__qualname__} has no keyword-only argument {name!r} for @requires")

        @wraps(action)
        def wrapped(*args, **kwargs):
            if not allowed(kwargs[by], target(kwargs)):
                raise PermissionDenied
            return action(*args, **kwargs)

        wrapped.required_rule = rule
        return wrapped

    return decorator
