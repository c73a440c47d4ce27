"""The dashboard's link on the home page, for those who may open it (no figures here: the page counts them)."""

from accounts.permissions import Perm, has_permission
from web.home import home_section


@home_section(order=90)
def dashboard_link(request) -> list[dict]:
    if not has_permission(request.user, Perm.DASHBOARD_VIEW):
        return []
    return [{"template": "dashboards/home_link.html"}]
