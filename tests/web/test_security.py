import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_csp_forbids_inline_script_and_framing(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_style_or_external_urls():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert " style=" not in text, f"inline style in {template}"
        assert not re.search(r"(src|href)=\"https?://", text), f"external URL in {template}"
        assert not re.search(r"\son[a-z]+=\"", text), f"inline event handler in {template}"


def test_nhsuk_css_loads_no_font_from_outside():
    css = next((ROOT / "static" / "nhsuk").glob("nhsuk-frontend-*.min.css")).read_text()
    assert "@font-face" not in css
    assert "assets.nhs.uk" not in css
    assert (ROOT / "static" / "nhsuk" / "LICENSE").exists()


def test_healthz_answers(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured",
        "worker": "in-process",
        "files": "local",
    }


def test_only_the_api_docs_page_allows_inline_styles(login, coordinator):
    client = login(coordinator)
    assert "'unsafe-inline'" in client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get("/")["Content-Security-Policy"]
