"""A service on several machines: web servers (gunicorn) and a Celery worker as separate processes, each in its own
working directory with its own local PRIVATE_FILES_ROOT, sharing only PostgreSQL, Redis and the object store
(moto's S3 server). A letter approved on one web machine is made by the worker and downloads from either web
machine byte-identical; a signed consent form uploaded through one web machine downloads through another. Nothing
is written to any machine's local folder."""

import re

import pytest
import requests
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from cycles.models import Consent
from letters.models import Letter
from tests.conftest import verify_session
from tests.cycles.helpers_consent import make_family, png_bytes
from tests.cycles.test_consent_pages import post_consent
from tests.letters.helpers_letters import decline_letter
from tests.letters.test_letters_worker import OwnRedis
from tests.reliability.machines import WebMachine, WorkerMachine, wait_for
from tests.services import require_postgres

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis():
    require_postgres()
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def machines(tmp_path, own_redis, object_store):
    """Two web machines and one worker; stopped afterwards whatever happens."""
    started = []

    def start(kind, name, **env):
        machine = kind(name, tmp_path, own_redis.url, object_store.env, **env)
        started.append(machine)
        return machine.start()

    yield start
    for machine in started:
        machine.stop()


def session_for(user) -> requests.Session:
    """A browser signed in as `user` with the second factor passed (the session lives in the shared database)."""
    client = Client()
    verify_session(client, user)
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    return browser


def csrf_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_letter_made_by_the_worker_downloads_from_every_web_machine(
    machines, object_store, service, coordinator, tmp_path
):
    web_a = machines(WebMachine, "web-a")
    web_b = machines(WebMachine, "web-b")
    worker = machines(WorkerMachine, "worker")
    letter = decline_letter(service, coordinator)
    _, token = AuthToken.objects.create(user=coordinator)
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token}"

    approved = api.post(f"{web_a.url}{reverse('api:letter-approve', args=[letter.pk])}", json={}, timeout=30)
    assert approved.status_code == 200, approved.text

    def ready() -> bool:
        return Letter.objects.get(pk=letter.pk).status == "ready"

    wait_for(ready, seconds=120, what="the worker to make the letter", machines=[web_a, worker])
    letter.refresh_from_db()
    stored = object_store.read(f"letters/{letter.file.name}")
    assert stored.startswith(b"%PDF-")
    for web in (web_a, web_b):
        download = api.get(f"{web.url}{reverse('api:letter-download', args=[letter.pk])}", timeout=30)
        assert download.status_code == 200 and download.content == stored, web.name
        assert "no-store" in download.headers["Cache-Control"]
    assert object_store.object_keys() == [f"letters/{letter.file.name}"]
    assert not web_a.local_files() and not web_b.local_files() and not worker.local_files()
    health = requests.get(f"{web_b.url}/healthz", timeout=30).json()
    assert health["files"] == "ok" and health["broker"] == "ok" and health["database"] == "ok"


def test_consent_form_uploaded_on_one_web_machine_downloads_from_another(
    machines, object_store, service, coordinator, practitioner
):
    web_a = machines(WebMachine, "web-a")
    web_b = machines(WebMachine, "web-b")
    family = make_family(service, coordinator, practitioner)
    content = png_bytes()

    browser = session_for(practitioner)
    form_url = f"{web_a.url}{reverse('cycles:consent_record', args=[family.pk])}"
    data = {**post_consent(family), "csrfmiddlewaretoken": csrf_token(browser, form_url)}
    sent = browser.post(
        form_url,
        data=data,
        files={"signed_form": ("Jane Example consent.png", content, "image/png")},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302, sent.text[:2000]
    consent = Consent.objects.get(referral=family)

    reader = session_for(coordinator)
    download = reader.get(f"{web_b.url}{reverse('cycles:consent_signed_form', args=[consent.pk])}", timeout=30)
    assert download.status_code == 200 and download.content == content
    assert download.headers["Content-Type"] == "image/png"
    assert object_store.read(consent.signed_form.name) == content
    assert not web_a.local_files() and not web_b.local_files()
