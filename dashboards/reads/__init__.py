"""The dashboard's figures, spanning apps, each counted in the database in a fixed number of queries.

One module per figure group; import from here (`from dashboards.reads import Scope, dashboard`), which names every
public read:

- `scope`: `Scope` (service, site, period, who is asking) and the sums every group shares (`during`, `median`,
  `percent`, `first_allocations`);
- `intake`: referrals in and triage; `waits`: the waiting list in NHS bands and the waits to allocation and filming;
- `caseloads`: open families against capacity, protected days in use, quiet families;
- `delivery`: cycles per family, visits not attended or cancelled, and the outcome measures' figures;
- `discharges`, `risk` (risk alerts), `trainees`, `data_protection`: one figure group each;
- `summary`: the few figures at the top of the page, taken from the groups below;
- `page`: every group for the page (`dashboard`) and every figure's list of families (`figure_lists`);
- `commissioner`: the commissioner return, by NHS financial quarter (`Quarter`, `recent_quarters`).

Each topic module keeps the lists behind its figures (`<topic>_lists`) beside the figures, so a figure and its list
are read the same way.
"""

from dashboards.reads.caseloads import caseloads, protected_days_in_use, quiet_families
from dashboards.reads.commissioner import Quarter, commissioner_return, quarter_bounds, recent_quarters, waiting_at_end
from dashboards.reads.data_protection import data_protection
from dashboards.reads.delivery import delivery, outcomes
from dashboards.reads.discharges import PLAN_BUCKETS, discharges
from dashboards.reads.intake import referrals_in, triage
from dashboards.reads.page import dashboard, figure_lists
from dashboards.reads.risk import risk_alerts
from dashboards.reads.scope import (
    QUIET_WEEKS,
    WEEKDAYS,
    Scope,
    default_period,
    during,
    first_allocations,
    median,
    percent,
)
from dashboards.reads.summary import counted, summary
from dashboards.reads.trainees import trainees_progress
from dashboards.reads.waits import allocated_in_period, band_filters, waiting

__all__ = [
    "PLAN_BUCKETS",
    "Quarter",
    "QUIET_WEEKS",
    "WEEKDAYS",
    "Scope",
    "allocated_in_period",
    "band_filters",
    "caseloads",
    "commissioner_return",
    "counted",
    "dashboard",
    "data_protection",
    "default_period",
    "delivery",
    "discharges",
    "during",
    "figure_lists",
    "first_allocations",
    "median",
    "outcomes",
    "percent",
    "protected_days_in_use",
    "quarter_bounds",
    "recent_quarters",
    "quiet_families",
    "referrals_in",
    "risk_alerts",
    "summary",
    "trainees_progress",
    "triage",
    "waiting",
    "waiting_at_end",
]
