"""The vault's part of a cycle's page: the film's state and a link to its page, for those who may follow it."""

from cycles.rules import may_record_casework
from cycles.sections import cycle_section, footage_destruction_check

from .models import Film
from .reads import film_of


@cycle_section
def film_section(request, cycle, step) -> list[dict]:
    """Once the cycle is filmed: where its film stands in the vault (one query)."""
    if step.filming is None:
        return []
    film = film_of(step.filming)
    return [
        {
            "template": "vault/_cycle_film.html",
            "filming": step.filming,
            "film": film,
            "can_upload": film is None and may_record_casework(request.user, cycle.referral),
        }
    ]


@footage_destruction_check
def film_still_in_the_vault(footage) -> str:
    """Footage whose film the vault holds is destroyed there (objects and key), never only confirmed by hand."""
    if Film.objects.held().filter(filming_id=footage.filming_id).exists():
        return (
            "This footage is in the film vault: destroy it from the film's page, so the film, its clips and the "
            "family's key go with it."
        )
    return ""
