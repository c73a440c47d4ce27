"""The vault's part of a cycle's page: the film's state and a link to its page, for those who may follow it."""

from cycles.rules import may_record_casework
from cycles.sections import cycle_section

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
