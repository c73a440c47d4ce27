"""Static files' addresses are remembered per process (`web.static.StaticFiles`): each must be exactly the
address whitenoise's manifest storage makes, and a name the manifest lacks must still be refused every time."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from web.static import StaticFiles

NAMES = ["nhsuk/nhsuk.css", "nhsuk/nhsuk.css?v=2#top", "images/crest one.svg", "images/crest one.svg", "app.js"]


@pytest.fixture
def manifest(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {
                "version": "1.1",
                "hash": "abc",
                "paths": {
                    "nhsuk/nhsuk.css": "nhsuk/nhsuk.1a2b3c.css",
                    "images/crest one.svg": "images/crest one.4d5e6f.svg",
                    "app.js": "app.7a8b9c.js",
                },
            }
        )
    )
    return {"location": str(tmp_path), "base_url": "/static/"}


def test_each_address_is_whitenoise_s_asked_again_and_again(manifest):
    remembered, made = StaticFiles(**manifest), CompressedManifestStaticFilesStorage(**manifest)
    for _ in range(2):
        for name in NAMES:
            assert remembered.url(name) == made.url(name)
            assert remembered.url(name, force=True) == made.url(name, force=True)
    assert remembered.url("nhsuk/nhsuk.css") == "/static/nhsuk/nhsuk.1a2b3c.css"


def test_a_name_not_in_the_manifest_is_refused_every_time(manifest):
    remembered = StaticFiles(**manifest)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            remembered.url("no/such.css")
