"""The whole dashboard: every figure group, and every figure's list of families."""

from datetime import date

from django.utils import timezone

from dashboards.reads.caseloads import caseload_lists, caseloads
from dashboards.reads.data_protection import data_protection, data_protection_lists
from dashboards.reads.delivery import delivery, delivery_lists, outcomes
from dashboards.reads.discharges import discharge_lists, discharges
from dashboards.reads.intake import intake_lists, referrals_in, triage
from dashboards.reads.risk import risk_alerts, risk_lists
from dashboards.reads.scope import Scope
from dashboards.reads.trainees import trainees_progress
from dashboards.reads.waits import contradictory_records, waiting, waiting_lists
from dashboards.summaries import catch_up
from referrals.models import Referral

# The dashboard shows this many records to correct; the figure's list (paginated, with its CSV) has them all, so a
# messy import of thousands of records does not make the page grow with it.
DATA_QUALITY_SHOWN = 10


def data_quality(scope: Scope) -> list[dict]:
    """Records that contradict each other, left out of the figures they would make impossible: the first
    `DATA_QUALITY_SHOWN` families' references and what contradicts (the page adds names for those who may open the
    family; `waiting.contradictory` counts them all). No query."""
    found = sorted(contradictory_records(scope).items())[:DATA_QUALITY_SHOWN]
    return [{"referral_id": pk, "reference": Referral(pk=pk).reference, "problems": problems} for pk, problems in found]


def dashboard(scope: Scope) -> dict:
    """Every figure group, for the page and the benchmark. The period's figures read the families' summaries
    (ADR 0022), after working off any change to the service not yet in them, so none is stale."""
    catch_up(scope.service.pk)
    return {
        "referrals_in": referrals_in(scope),
        "triage": triage(scope),
        "waiting": waiting(scope),
        "caseloads": caseloads(scope),
        "delivery": delivery(scope),
        "outcomes": outcomes(scope),
        "discharges": discharges(scope),
        "risk_alerts": risk_alerts(scope),
        "trainees": trainees_progress(scope),
        "data_protection": data_protection(scope),
        "data_quality": data_quality(scope),
    }


def figure_lists(scope: Scope, today: date | None = None) -> dict:
    """Each figure's families as (title, lazy queryset): the list page and its CSV share these, so a figure and its
    list agree. Each topic module keeps its lists beside its figures; nothing is read until a list is called."""
    today = today or timezone.localdate()
    return {
        **intake_lists(scope),
        **waiting_lists(scope, today),
        **delivery_lists(scope),
        **data_protection_lists(scope, today),
        **caseload_lists(scope),
        **discharge_lists(scope),
        **risk_lists(scope),
    }
