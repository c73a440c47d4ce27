"""What the lists' filter drop-downs offer: the services, sites and referral sources of the services a person covers.

Read with SQL compiled once per process (`core.prepared`, ADR 0032): the triage queue and the waiting list draw
their filters on every look, and building these three small queries cost each page more than reading them.
"""

from core.lookups import among
from core.prepared import IDS, prepared

from .models import ReferralSource, Service, Site


@prepared(IDS)
def services_named(service_ids):
    """These services, by name."""
    return Service.objects.filter(among("pk", service_ids)).order_by("name")


@prepared(IDS)
def sites_of(service_ids):
    """The sites of these services (with their service, which a site's label names)."""
    return Site.objects.filter(among("service_id", service_ids)).select_related("service")


@prepared(IDS)
def sources_of(service_ids):
    """The referral sources of these services (with their service, which a source's label names)."""
    return ReferralSource.objects.filter(among("service_id", service_ids)).select_related("service")
