"""Loading one filming, film or clip cut as the vault's pages and API do: from the families the user may see (a
logged 404 otherwise), then the permission on the family (a logged 403). Shared by pages and API alike, so
another practitioner's or another service's film is a 404 on every URL."""

from accounts.permissions import Perm, check_permission
from cycles.models import Filming
from referrals.models import Referral
from web.pages import load_visible

from .models import ClipCut, Film


def _families(user):
    return Referral.objects.visible_to(user)


def load_filming(request, pk: int, perm: Perm) -> Filming:
    """A filming in force of a family the user may see, then `perm` on the family."""
    queryset = (
        Filming.objects.in_force()
        .filter(cycle__referral__in=_families(request.user))
        .select_related("cycle__referral__service")
    )
    filming = load_visible(queryset, request, pk)
    check_permission(request.user, perm, obj=filming.cycle.referral)
    return filming


def load_film(request, pk: int, perm: Perm) -> Film:
    """A film of a family the user may see, then `perm` on the family."""
    queryset = Film.objects.filter(referral__in=_families(request.user)).select_related(
        "referral__service", "filming__cycle"
    )
    film = load_visible(queryset, request, pk)
    check_permission(request.user, perm, obj=film.referral)
    return film


def load_cut(request, pk: int, perm: Perm) -> ClipCut:
    """A clip's cut of a family the user may see, then `perm` on the family."""
    queryset = ClipCut.objects.filter(film__referral__in=_families(request.user)).select_related(
        "film__referral__service", "film__filming__cycle", "clip"
    )
    cut = load_visible(queryset, request, pk)
    check_permission(request.user, perm, obj=cut.film.referral)
    return cut
