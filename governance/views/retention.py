"""Retention pages: the records due for review, and one review (keep longer, propose, approve destruction)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission, has_permission, require_permission
from governance.reads.retention import rule_for
from governance.rules import may_approve_destruction
from web.pages import form_action_page

from .. import actions
from ..forms import ApproveForm, ExtendForm, ProposeForm
from ..models import RetentionReview, ReviewStatus


@require_permission(Perm.RECORD_DESTROY)
def reviews(request: HttpRequest) -> HttpResponse:
    """Open retention reviews in the services the user reviews, oldest due first."""
    rows = list(
        RetentionReview.objects.visible_to(request.user)
        .open()
        .select_related("referral", "service", "reviewed_by")
        .order_by("due_on", "pk")[:200]
    )
    log_list(request=request, object_type="referrals.referral", ids=[r.referral_id for r in rows])
    return render(request, "governance/reviews.html", {"reviews": rows})


def _review(request: HttpRequest, pk: int) -> RetentionReview:
    review = (
        RetentionReview.objects.visible_to(request.user)
        .select_related("referral__service", "referral__site", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request,
            object_type="governance.retentionreview",
            object_id=pk,
            detail={"answer": "404: not found or not visible"},
        )
        raise Http404
    check_permission(request.user, Perm.RECORD_DESTROY, obj=review.referral)
    return review


def review(request: HttpRequest, pk: int) -> HttpResponse:
    item = _review(request, pk)
    log_access(action=AccessAction.VIEW, request=request, obj=item)
    return render(request, "governance/review.html", _context(request, item))


def _context(request, item: RetentionReview) -> dict:
    may = has_permission(request.user, Perm.RECORD_DESTROY, obj=item.referral)
    return {
        "review": item,
        "rule": rule_for(item.referral.service),
        "can_extend": may and item.status == ReviewStatus.DUE,
        "can_propose": may and item.status == ReviewStatus.DUE,
        "can_approve": item.status == ReviewStatus.PROPOSED and may_approve_destruction(request.user, item),
        "extend_form": ExtendForm(),
        "propose_form": ProposeForm(),
    }


def _action(request, pk, *, form_class, perform, message, template, success_url=None):
    item = _review(request, pk)
    form = form_class(request.POST if request.method == "POST" else None)
    return form_action_page(
        request,
        form=form,
        template=template,
        context=_context(request, item),
        perform=lambda data: perform(item, data),
        success_message=message,
        success_url=success_url or reverse("governance:review", args=[item.pk]),
    )


def extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ExtendForm,
        template="governance/review_extend.html",
        message="The record is kept until the new review date.",
        perform=lambda item, data: actions.extend_retention(review=item, by=request.user, request=request, **data),
    )


def propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ProposeForm,
        template="governance/review_propose.html",
        message="Destruction proposed. A colleague must approve it.",
        perform=lambda item, data: actions.propose_destruction(review=item, by=request.user, request=request, **data),
    )


def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form_class=ApproveForm,
        template="governance/review_approve.html",
        message="The record was destroyed. Its tombstone is kept.",
        success_url=reverse("governance:reviews"),
        perform=lambda item, data: actions.approve_destruction(review=item, by=request.user, request=request),
    )
