"""Shared set-up for the audit viewer's tests: families in both services and access-log rows about them."""

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from tests.referrals.helpers import make_referral


def family(service, by):
    """A family recorded through the action (so it has history and a 'create' access row)."""
    return make_referral(service, by)


def viewed(user, referral, **extra):
    return log_access(action=AccessAction.VIEW, user=user, obj=referral, **extra)


def listed(user, referral_ids):
    return log_list(request=_Request(user), object_type="referrals.referral", ids=referral_ids, detail={"list": "t"})


class _Request:
    """Just enough of a request for `log_list` (user, path, REMOTE_ADDR)."""

    def __init__(self, user, path="/referrals/waiting/"):
        self.user, self.path, self.META = user, path, {"REMOTE_ADDR": "10.0.0.1"}


def page(client, **params):
    return client.get("/audit/", params)
