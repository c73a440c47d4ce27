"""Visit and liaison pages: book, record (with a draft), reschedule, one visit, the practitioner's diary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import get_visible_or_404, log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission, require_permission
from cycles.reads.visits import DIARY_PAGE_SIZE, DIARY_WEEKS, diary, visible_visits_by_pk
from cycles.rules import may_record_casework
from referrals.loading import referral_for_page
from referrals.models import Referral
from web.pages import form_action_page

from .. import actions
from ..actions.visits import draft_key
from ..drafts import draft_data, draft_for, draft_initial
from ..forms.visits import LiaisonForm, VisitBookForm, VisitRecordForm, VisitRescheduleForm

# The action refuses `planned_at`; the page asks for its date and time apart: the error goes beside the date.
PLANNED_AT_ON_THE_DATE = {"planned_at": "planned_on"}


def load_referral(request: HttpRequest, pk: int, perm: Perm | None = None) -> Referral:
    return referral_for_page(request, pk, perm)


def load_visit(request: HttpRequest, pk: int, perm: Perm = Perm.REFERRAL_VIEW):
    """A visit of a family the user may see (a logged 404 otherwise), then `perm` on its family (a logged 403)."""
    visit = get_visible_or_404(visible_visits_by_pk(request.user), request=request, pk=pk)
    check_permission(request.user, perm, obj=visit.referral)
    return visit


def record_url(referral_id: int) -> str:
    return reverse("referrals:detail", kwargs={"pk": referral_id}) + "#visits"


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a visit with the family: when, where and what for."""
    referral = load_referral(request, pk, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=VisitBookForm(request.POST or None, initial={"place": "home"}),
        template="cycles/visit_form.html",
        context={"referral": referral, "page_title": "Book a visit", "submit_label": "Book visit"},
        perform=lambda data: actions.book_visit(referral=referral, by=request.user, request=request, **data),
        success_message="Visit booked.",
        error_aliases=PLANNED_AT_ON_THE_DATE,
        success_url=record_url(referral.pk),
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: when, where, what for and, once recorded, what happened."""
    visit = load_visit(request, pk)
    log_access(action=AccessAction.VIEW, request=request, obj=visit)
    can_record = not visit.outcome and may_record_casework(request.user, visit.referral)
    return render(
        request, "cycles/visit_detail.html", {"visit": visit, "referral": visit.referral, "can_record": can_record}
    )


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what happened at a visit. "Save as draft" keeps the text for you alone; recording discards it."""
    visit = load_visit(request, pk, Perm.CASEWORK_RECORD)
    here = reverse("cycles:visit_record", kwargs={"pk": visit.pk})
    if visit.outcome:
        messages.info(request, "This visit was already recorded.")
        return redirect("cycles:visit_detail", pk=visit.pk)
    if request.method == "POST" and "save_draft" in request.POST:
        actions.save_draft(
            visit=visit, data=draft_data(VisitRecordForm, request.POST), by=request.user, request=request
        )
        messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}. Only you can see it.")
        return redirect(here)
    if request.method == "POST" and "discard_draft" in request.POST:
        actions.discard_draft(visit=visit, by=request.user, request=request)
        messages.success(request, "Draft discarded.")
        return redirect(here)
    draft = draft_for(request.user, draft_key(visit)) if request.method == "GET" else None
    initial = (
        draft_initial(VisitRecordForm, draft.data)
        if draft
        else {"activities": [a.kind for a in visit.activities.all()]}
    )
    log_access(action=AccessAction.VIEW, request=request, obj=visit)
    return form_action_page(
        request,
        form=VisitRecordForm(request.POST or None, initial=initial),
        template="cycles/visit_record.html",
        context={"visit": visit, "referral": visit.referral, "draft": draft, "page_title": "Record a visit"},
        perform=lambda data: actions.record_visit(visit=visit, by=request.user, request=request, **data),
        success_message="Visit recorded.",
        success_url=record_url(visit.referral_id),
    )


@login_required
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a planned visit to another date and time."""
    visit = load_visit(request, pk, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=VisitRescheduleForm(request.POST or None),
        template="cycles/visit_reschedule.html",
        context={
            "visit": visit,
            "referral": visit.referral,
            "page_title": "Move a visit",
            "submit_label": "Move visit",
        },
        perform=lambda data: actions.reschedule_visit(visit=visit, by=request.user, request=request, **data),
        success_message="Visit moved.",
        error_aliases=PLANNED_AT_ON_THE_DATE,
        success_url=record_url(visit.referral_id),
    )


@login_required
def liaison(request: HttpRequest, pk: int) -> HttpResponse:
    """Record contact with the referrer after allocation."""
    referral = load_referral(request, pk, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=LiaisonForm(request.POST or None, initial={"contacted_on": timezone.localdate()}),
        template="cycles/liaison_record.html",
        context={"referral": referral, "page_title": "Liaison with the referrer", "submit_label": "Record liaison"},
        perform=lambda data: actions.record_liaison(referral=referral, by=request.user, request=request, **data),
        success_message="Liaison with the referrer recorded.",
        success_url=record_url(referral.pk),
    )


@require_permission(Perm.CASEWORK_RECORD)
def diary_page(request: HttpRequest) -> HttpResponse:
    """Your planned visits for the coming weeks across your caseload, with those not yet recorded first."""
    found = diary(request.user)
    page = Paginator(found.coming, DIARY_PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = found.overdue if page.number == 1 else []
    log_list(
        request=request,
        object_type="cycles.visit",
        ids=[v.pk for v in overdue] + [v.pk for v in page],
        detail={"list": "diary"},
    )
    return render(
        request,
        "cycles/diary.html",
        {"diary": found, "overdue": overdue, "page_obj": page, "weeks": DIARY_WEEKS, "query_string": ""},
    )
