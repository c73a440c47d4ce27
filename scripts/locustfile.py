"""The load test's people: coordinators, practitioners, managers and API clients, as on a working day.

Run by `make load-test` (scripts/load_test.sh) against gunicorn on loopback; never point it at another host. The
cast (who signs in, which families, which visits to record, API tokens) comes from `prepare_load_test`, in the JSON
file named by LOAD_TEST_CAST. Every user signs in through the sign-in form (PBKDF2) when it starts, so the start of
the run is also the sign-in storm; its effect on everyone else's pages is measured by `SignInStorm` (see below).

Mix (weights, of 50 users): coordinators 18 (triage queue, a family's record, search, home), practitioners 20
(their caseload on the home page, a family's record, recording a visit through the form: a write), managers 4
(the dashboard, caseloads), API clients 8 (referral list and search with a token).
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
with open(os.environ["LOAD_TEST_CAST"], encoding="utf-8") as _cast_file:
    CAST = json.load(_cast_file)
_practitioners = itertools.cycle(CAST["practitioners"])
_coordinators = itertools.cycle(CAST["coordinators"])
_managers = itertools.cycle(CAST["managers"])
_tokens = itertools.cycle(CAST["api_tokens"])


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def sign_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="sign in page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": username, "password": CAST["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"sign-in as {username} refused")

    def record(self, referral_id: int) -> None:
        self.client.get(f"/referrals/{referral_id}/", name="/referrals/[id]/")


class Coordinator(SignedIn):
    """Works the triage queue, opens families, searches."""

    weight = 18

    def on_start(self):
        self.me = next(_coordinators)
        self.sign_in(self.me["username"])

    @task(4)
    def triage_queue(self):
        self.client.get("/referrals/triage/", name="/referrals/triage/")

    @task(4)
    def family_record(self):
        self.record(random.choice(self.me["referral_ids"]))

    @task(2)
    def search(self):
        self.client.get("/referrals/search/", params=random.choice(self.me["searches"]), name="/referrals/search/?…")

    @task(1)
    def home(self):
        self.client.get("/", name="/ (coordinator)")


class Practitioner(SignedIn):
    """Their caseload, a family's record, recording a visit that happened yesterday."""

    weight = 20

    def on_start(self):
        me = next(_practitioners)
        self.caseload = me["referral_ids"]
        # Several locust users may share one practitioner: each takes visits from the shared list in turn.
        self.visits = _visit_queue(me)
        self.sign_in(me["username"])

    @task(4)
    def caseload_home(self):
        self.client.get("/", name="/ (practitioner caseload)")

    @task(4)
    def family_record(self):
        self.record(random.choice(self.caseload))

    @task(2)
    def record_visit(self):
        visit = next(self.visits, None)
        if visit is None:
            return
        url = f"/cycles/visits/{visit}/record/"
        form = self.client.get(url, name="/cycles/visits/[id]/record/ (form)")
        token = CSRF.search(form.text).group(1)
        self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                "outcome": "attended",
                "duration_minutes": "60",
                "present": "Parent and baby",
                "notes": "Load test visit: shared review of the first clips.",
                "activities": ["shared_review"],
            },
            headers={"Referer": f"{self.host}{url}"},
            name="/cycles/visits/[id]/record/ (record)",
        )


_visit_queues: dict[str, object] = {}


def _visit_queue(practitioner: dict):
    key = practitioner["username"]
    if key not in _visit_queues:
        _visit_queues[key] = iter(practitioner["visit_ids"])
    return _visit_queues[key]


class Manager(SignedIn):
    """The dashboard and the team's caseloads."""

    weight = 4

    def on_start(self):
        self.sign_in(next(_managers))

    @task(3)
    def dashboard(self):
        self.client.get("/dashboards/", name="/dashboards/")

    @task(1)
    def caseloads(self):
        self.client.get("/referrals/caseloads/", name="/referrals/caseloads/")


class ApiClient(HttpUser):
    """Another system reading the API with a token."""

    weight = 8
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {next(_tokens)}"
        self.searches = [search for c in CAST["coordinators"] for search in c["searches"]]

    @task(3)
    def referral_list(self):
        self.client.get("/api/v1/referrals/?limit=50", name="/api/v1/referrals/")

    @task(1)
    def search(self):
        self.client.get("/api/v1/referrals/", params=random.choice(self.searches), name="/api/v1/referrals/?…")
