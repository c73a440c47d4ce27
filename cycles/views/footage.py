"""Footage pages: where a filming's footage is held and the family's copy, and confirming its destruction."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.permissions import Perm, check_permission
from referrals.models import Allocation, Referral
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms.footage import DestructionForm, FootageForm
from ..models import Filming, Footage


def _visible_families(request):
    return Referral.objects.visible_to(request.user)


def load_filming(request: HttpRequest, pk: int, perm: Perm) -> Filming:
    """A filming of a family the user may see (a logged 404 otherwise), then `perm` on the family (a logged 403)."""
    queryset = (
        Filming.objects.filter(cycle__referral__in=_visible_families(request))
        .select_related("cycle__referral__service")
        .prefetch_related(Prefetch("cycle__referral__allocations", queryset=Allocation.objects.with_holding()))
    )
    filming = load_visible(queryset, request, pk)
    check_permission(request.user, perm, obj=filming.cycle.referral)
    return filming


def footage(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct where the footage of a filming is held, and whether the family has its copy."""
    filming = load_filming(request, pk, Perm.CASEWORK_RECORD)
    current = Footage.objects.filter(filming=filming).first()
    initial = {}
    if current is not None:
        fields = ["location", "reference", "family_copy", "family_copy_how", "family_copy_on"]
        initial = {f: getattr(current, f) for f in fields}
    referral = filming.cycle.referral
    return form_action_page(
        request,
        form=FootageForm(request.POST or None, initial=initial),
        template="cycles/footage_form.html",
        context={"filming": filming, "referral": referral, "footage": current},
        perform=lambda data: actions.record_footage(filming=filming, by=request.user, request=request, **data),
        success_message="Footage details saved.",
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}) + "#footage",
    )


def confirm_destruction(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm that a filming's footage was destroyed, and on which date."""
    queryset = (
        Footage.objects.filter(filming__cycle__referral__in=_visible_families(request))
        .select_related("filming__cycle__referral__service")
        .prefetch_related(Prefetch("filming__cycle__referral__allocations", queryset=Allocation.objects.with_holding()))
    )
    item = load_visible(queryset, request, pk)
    referral = item.filming.cycle.referral
    check_permission(request.user, Perm.FOOTAGE_DESTRUCTION_CONFIRM, obj=referral)
    return form_action_page(
        request,
        form=DestructionForm(request.POST or None),
        template="cycles/confirm_destruction.html",
        context={"footage": item, "referral": referral},
        perform=lambda data: actions.confirm_footage_destroyed(
            footage=item, destroyed_on=data["destroyed_on"], by=request.user, request=request
        ),
        success_message="Footage destruction confirmed.",
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}) + "#footage",
    )
