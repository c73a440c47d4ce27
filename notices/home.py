"""A person's open notices come first on their home page."""

from accounts.audit import log_list
from web.home import home_section

from .models import Notice

HOME_LIMIT = 10


@home_section(order=10)
def notice_sections(request) -> list[dict]:
    """Open notices, urgent first, at most HOME_LIMIT, with a link to all of them."""
    notices = list(Notice.objects.for_user(request.user).open().order_by("-urgent", "-created_at")[: HOME_LIMIT + 1])
    if not notices:
        return []
    log_list(request=request, object_type="notices.notice", ids=[n.pk for n in notices], detail={"list": "home"})
    return [
        {"template": "notices/home_notices.html", "notices": notices[:HOME_LIMIT], "more": len(notices) > HOME_LIMIT}
    ]
