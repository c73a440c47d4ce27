"""The bounded load test: coordinators working the triage queue, opening families and listing through the API.

Run by `make load-test` (scripts/load_test.sh) against gunicorn on loopback; never point it at another host.
"""

import random
import re

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Coordinator(HttpUser):
    """The demo coordinator: signs in once, then reads the queue, a family's record and the API list."""

    wait_time = between(0.5, 1.5)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="sign in page")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": "coordinator", "password": "demo-vig-2026", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
        )
        listed = self.client.get("/api/v1/referrals/?limit=50", name="/api/v1/referrals/").json()
        self.referral_ids = [row["id"] for row in listed["results"]] or [1]

    @task(3)
    def triage_queue(self):
        self.client.get("/referrals/triage/", name="/referrals/triage/")

    @task(3)
    def family_record(self):
        self.client.get(f"/referrals/{random.choice(self.referral_ids)}/", name="/referrals/[id]/")

    @task(2)
    def api_referral_list(self):
        self.client.get("/api/v1/referrals/?limit=50", name="/api/v1/referrals/")
