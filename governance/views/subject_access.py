"""Subject access pages: record a request for one person, mark what to withhold, release the ZIP."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission
from core.refusals import ActionRefused
from governance.reads.subject_access import FAMILY_TEXT_FIELDS, gather
from referrals.models import Referral
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms import RedactionForm, ReleaseForm, SubjectAccessForm
from ..models import SarStatus, SubjectAccessRequest


def new(request: HttpRequest, pk: int) -> HttpResponse:
    referral = load_visible(
        Referral.objects.visible_to(request.user, Perm.SUBJECT_ACCESS).with_record_details(),
        request,
        pk,
        Perm.SUBJECT_ACCESS,
    )
    form = SubjectAccessForm(request.POST or None, parents=referral.parents.all())
    return form_action_page(
        request,
        form=form,
        template="governance/sar_new.html",
        context={"referral": referral},
        perform=lambda data: actions.open_subject_access_request(by=request.user, request=request, **data),
        success_message="Subject access request recorded. Review it before release.",
        success_url=lambda sar: reverse("governance:sar", kwargs={"pk": sar.pk}),
    )


def _sar(request, pk) -> SubjectAccessRequest:
    sar = load_visible(
        SubjectAccessRequest.objects.filter(
            referral__in=Referral.objects.visible_to(request.user, Perm.SUBJECT_ACCESS)
        ).select_related("referral__service", "parent"),
        request,
        pk,
    )
    check_permission(request.user, Perm.SUBJECT_ACCESS, obj=sar.referral)
    return sar


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The request, what the export holds, and the redaction form."""
    sar = _sar(request, pk)
    everything = gather(sar, include_all=True)
    form = RedactionForm(
        request.POST or None,
        initial={"redact": sar.redact, "include_family_text": sar.include_family_text},
        redact_choices=[(key, f"{item['label']}: {item['value']}") for key, item in everything.items()],
        family_choices=[(key, key.replace("_", " ").capitalize()) for key in FAMILY_TEXT_FIELDS],
    )
    log_access(action=AccessAction.VIEW, request=request, obj=sar)
    return form_action_page(
        request,
        form=form,
        template="governance/sar.html",
        context={"sar": sar, "can_release": sar.status != SarStatus.DRAFT, "release_form": ReleaseForm()},
        perform=lambda data: actions.review_subject_access_request(sar=sar, by=request.user, request=request, **data),
        success_message="Review saved. You can release the export.",
        success_url=reverse("governance:sar", args=[sar.pk]),
    )


def release(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the ZIP for the person (logged as an export)."""
    sar = _sar(request, pk)
    if request.method != "POST":
        return redirect("governance:sar", pk=sar.pk)
    try:
        content = actions.release_subject_access_request(sar=sar, by=request.user, request=request)
    except ActionRefused as refusal:
        return render(request, "governance/sar.html", {"sar": sar, "refusal": str(refusal)}, status=409)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.zip"'
    return response
