"""Who may open a prepared export (ADR 0012: the dashboards' rules, built from the permission layer's primitives):
its requester only, and only while their dashboard.view still covers it."""

from accounts.permissions import Perm, has_permission, memberships_with


def may_open_export(user, export) -> bool:
    """The requester, while they hold dashboard.view in the export's service (and its site, if one was chosen),
    and, once the file is made, at every site its families are at: a manager moved to one site no longer downloads
    what they exported across the service."""
    if export.requested_by_id != getattr(user, "pk", None):
        return False
    if not has_permission(user, Perm.DASHBOARD_VIEW, obj=export):
        return False
    memberships = [m for m in memberships_with(user, Perm.DASHBOARD_VIEW) if m.service_id == export.service_id]
    if any(not m.site_ids for m in memberships):
        return True
    covered = set().union(*(m.site_ids for m in memberships))
    return set(export.site_ids or []) <= covered
