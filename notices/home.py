"""The notices app's home-page sections: risk answers escalated because nobody acted on them (red, at the very top),
then a person's open notices and those a colleague handled lately, then the service admin's settings link."""

from accounts.audit import log_list
from accounts.permissions import Perm, memberships_with
from web.home import home_section

from .reads import HomeNotices, home_notices

HOME_LIMIT = 10


def _home_notices(request) -> HomeNotices:
    """The person's notices for both sections, read once per request (one query for all of them)."""
    found = getattr(request, "_vig_home_notices", None)
    if found is None:
        found = request._vig_home_notices = home_notices(request.user, limit=HOME_LIMIT)
    return found


@home_section(order=1)
def escalation_sections(request) -> list[dict]:
    """Red warnings for every risk answer escalated to this person and still not acted on."""
    notices = _home_notices(request).escalations
    if not notices:
        return []
    log_list(request=request, object_type="notices.notice", ids=[n.pk for n in notices], detail={"list": "escalated"})
    return [{"template": "notices/home_escalations.html", "notices": notices}]


@home_section(order=10)
def notice_sections(request) -> list[dict]:
    """Open notices, urgent first, at most HOME_LIMIT, with a link to all of them; then the ones a colleague
    handled in the last few days, marked handled, with who, when and what."""
    found = _home_notices(request)
    notices = found.open + found.handled
    if not notices:
        return []
    log_list(request=request, object_type="notices.notice", ids=[n.pk for n in notices], detail={"list": "home"})
    return [
        {
            "template": "notices/home_notices.html",
            "notices": found.open,
            "handled": found.handled,
            "more": found.more,
        }
    ]


@home_section(order=95)
def settings_link(request) -> list[dict]:
    """The service admin's way to the notice settings of each service they administer."""
    services = sorted({m.service for m in memberships_with(request.user, Perm.NOTICE_SETTINGS_MANAGE)}, key=str)
    return [{"template": "notices/home_settings_link.html", "services": services}] if services else []
