from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self):
        from . import home  # noqa: F401  (registers the home page's referral sections)
