"""Allocation, waiting list and caseload pages. Thin, like the referral pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts import actions as account_actions
from accounts.audit import log_access, log_list
from accounts.models import AccessAction, Membership, Role, User
from vig_service.permissions import Perm, has_permission, memberships_for, require_permission, services_with
from vig_service.widgets import NHSDateField

from . import actions
from .caseloads import (
    caseload_rows,
    practitioner_caseload_allocations,
    practitioners_in,
    ranked_candidates,
    services_with_waiting,
    waiting_rows,
)
from .models import Referral
from .states import ReferralStatus
from .views import _add_errors, _decision_page, form_action_page, visible_referral

WAITING_PAGE_SIZE = 25


class AllocationForm(forms.Form):
    practitioner = forms.TypedChoiceField(label="Practitioner", coerce=int, widget=forms.RadioSelect)
    over_capacity_reason = forms.CharField(
        label="Reason for allocating past capacity or during a pause",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if the practitioner is full or their availability is paused.",
    )
    reason = forms.CharField(
        label="Reason for reallocating",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: practitioner has left, or the family moved site.",
    )

    def __init__(self, *args, candidates, reallocating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [(c.user.pk, _candidate_label(c)) for c in candidates]
        if not reallocating:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True


def _candidate_label(c) -> str:
    if not c.is_trainee:
        training = "accredited"
    else:
        training = f"trainee supervised by {c.supervisor}" if c.supervisor else "trainee with no supervisor set"
    parts = [
        str(c.user),
        f"{c.open_cases} of {c.capacity} families",
        training,
        "same site" if c.same_site else "other site",
    ]
    if c.paused:
        parts.append("availability paused")
    if c.next_protected_day:
        parts.append(f"next protected day {c.next_protected_day:%a %-d %b}")
    return " – ".join(parts)


def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a practitioner, best candidates first; reallocation needs a reason."""
    referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
    candidates = ranked_candidates(referral)
    reallocating = referral.status == ReferralStatus.ALLOCATED
    form = AllocationForm(request.POST or None, candidates=candidates, reallocating=reallocating)

    def perform(data):
        practitioner = get_object_or_404(User, pk=data["practitioner"])
        common = {
            "referral": referral,
            "practitioner": practitioner,
            "by": request.user,
            "request": request,
            "over_capacity_reason": data["over_capacity_reason"],
        }
        if reallocating:
            actions.reallocate_referral(reason=data["reason"], **common)
        else:
            actions.allocate_referral(**common)
        messages.success(request, f"Referral {referral.reference} allocated to {practitioner}.")

    return form_action_page(
        request,
        form=form,
        template="referrals/allocate.html",
        context={"referral": referral, "candidates": candidates, "reallocating": reallocating},
        perform=perform,
        success_message="",  # perform() says who it went to
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
    )


class UnallocateForm(forms.Form):
    reason = forms.CharField(label="Reason for unallocating", widget=forms.Textarea(attrs={"rows": 3}))


def unallocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an allocated referral back on the waiting list, with a reason kept in its history."""
    referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
    return _decision_page(
        request,
        referral,
        UnallocateForm(request.POST or None),
        "referrals/unallocate.html",
        lambda data: actions.unallocate_referral(
            referral=referral, reason=data["reason"], by=request.user, request=request
        ),
        "The referral is back on the waiting list.",
    )


@require_permission(Perm.WAITING_LIST_VIEW)
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Accepted referrals waiting for a practitioner, oldest first, with the wait band and target warnings."""
    waiting = (
        Referral.objects.visible_to(request.user, Perm.WAITING_LIST_VIEW)
        .filter(status=ReferralStatus.ACCEPTED)
        .with_list_details()
        .order_by("date_received", "pk")
    )
    page = Paginator(waiting, WAITING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = waiting_rows(page)
    log_list(request=request, object_type="referrals.referral", ids=[r.pk for r in page], detail={"list": "waiting"})
    return render(request, "referrals/waiting_list.html", {"page_obj": page, "rows": rows})


@require_permission(Perm.PRACTITIONER_VIEW)
def caseloads(request: HttpRequest) -> HttpResponse:
    """The service's caseload table: practitioner × open families and capacity, and how many wait."""
    service_ids = services_with(request.user, Perm.PRACTITIONER_VIEW)
    services = services_with_waiting(service_ids)
    practitioners = practitioners_in(service_ids)
    today = timezone.localdate()
    log_access(
        action=AccessAction.LIST,
        request=request,
        object_type="accounts.membership",
        detail={"list": "caseloads", "ids_shown": [m.pk for m in practitioners]},
    )
    context = {
        "services": services,
        "practitioners": practitioners,
        "today": today,
        "can_manage": has_permission(request.user, Perm.PRACTITIONER_MANAGE),
    }
    return render(request, "referrals/caseloads.html", context)


def practitioner_membership_for(request: HttpRequest, membership_id: int) -> Membership:
    """A practitioner membership the user may look at: their own, their trainee's, or their service's."""
    membership = get_object_or_404(
        Membership.objects.active()
        .filter(role=Role.PRACTITIONER)
        .select_related("user", "service", "practitioner_details"),
        pk=membership_id,
    )
    user = request.user
    if membership.service_id not in {m.service_id for m in memberships_for(user)}:
        raise Http404  # another service's staff are not revealed
    details = getattr(membership, "practitioner_details", None)
    if (
        membership.user_id == user.pk
        or has_permission(user, Perm.CASELOAD_VIEW, obj=membership)
        or (details is not None and details.supervisor_id == user.pk)
    ):
        return membership
    raise PermissionDenied


def practitioner_caseload(request: HttpRequest, membership_id: int) -> HttpResponse:
    """One practitioner's open families: for them, their supervisor, and their service's coordinators and managers."""
    membership = practitioner_membership_for(request, membership_id)
    rows = caseload_rows(practitioner_caseload_allocations(request.user, membership))
    log_list(
        request=request,
        object_type="referrals.referral",
        ids=[r.referral.pk for r in rows],
        detail={"list": "caseload", "membership": membership.pk},
    )
    return render(request, "referrals/practitioner_caseload.html", {"membership": membership, "rows": rows})


class PractitionerDetailsForm(forms.Form):
    capacity = forms.IntegerField(
        label="Caseload capacity", min_value=0, max_value=50, help_text="Open VIG families at one time"
    )
    protected_days = forms.TypedMultipleChoiceField(
        label="Protected VIG days",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")],
    )
    supervisor = forms.ModelChoiceField(
        label="Supervisor",
        queryset=User.objects.none(),
        required=False,
        help_text="Needed for a trainee before any family is allocated",
    )
    training_stage = forms.TypedChoiceField(
        label="Training stage",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not a trainee"), (1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")],
    )
    paused_from = NHSDateField(label="Availability paused from", required=False)
    paused_until = NHSDateField(label="Paused until", required=False, help_text="Leave blank if not known")
    pause_reason = forms.CharField(
        label="Reason for the pause", required=False, max_length=200, help_text="For example: annual leave, sickness"
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = (
            User.objects.filter(
                memberships__service=membership.service, memberships__role=Role.SUPERVISOR, memberships__is_active=True
            )
            .exclude(pk=membership.user_id)
            .distinct()
        )


def practitioner_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Capacity, protected days, supervisor and pauses: the facts allocation decisions rest on."""
    membership = practitioner_membership_for(request, membership_id)
    if not has_permission(request.user, Perm.PRACTITIONER_MANAGE, obj=membership):
        raise PermissionDenied
    details = getattr(membership, "practitioner_details", None)
    initial = {}
    if details is not None:
        initial = {name: getattr(details, name) for name in PractitionerDetailsForm.base_fields}
    form = PractitionerDetailsForm(request.POST or None, initial=initial, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.update_practitioner_details(
                membership=membership, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        except account_actions.ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Details saved for {membership.user}.")
            return redirect("referrals:caseloads")
    status = 400 if form.errors else 200
    context = {
        "membership": membership,
        "form": form,
        "stage_targets": membership.service.training_stage_targets.all(),
    }
    return render(request, "referrals/practitioner_edit.html", context, status=status)
