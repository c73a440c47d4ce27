"""A double click on real PostgreSQL: two sends of one form at the same moment make one record, and both land on
its page (the second waits on the claim's unique index until the first commits; web.submissions)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cycles.models import SupervisionSession
from tests.conftest import verify_session
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    trainee_family,
    trainee_with_supervisor,
)
from tests.services import require_postgres
from web.submissions import TOKEN_FIELD


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_record_supervision_clicked_twice_at_once_saves_one_session(service, coordinator, trainee, supervisor):
    require_postgres()
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee)
    cycle = make_cycle(family, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    url = reverse("cycles:record_supervision", args=[membership.pk])
    opener = Client()
    verify_session(opener, supervisor)
    token = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', opener.get(url).content.decode()).group(1)
    data = {
        "held_on": days_ago(1).isoformat(),
        "duration_minutes": "60",
        "cycles": [cycle.pk],
        "signed_off": [cycle.pk],
        TOKEN_FIELD: token,
    }
    barrier = threading.Barrier(2)
    answers = []

    def click():
        try:
            barrier.wait(timeout=10)
            answers.append(opener.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302], [a.content.decode()[:2000] for a in answers]
    assert answers[0].url == answers[1].url == reverse("cycles:supervision")
    assert SupervisionSession.objects.count() == 1
