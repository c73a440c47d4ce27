"""Sign-in through an OpenID Connect provider: off by default, and the assurance rule (issue 23, ADR 0028).

The whole flow against a real provider is tests/browser/test_provider_sign_in.py.
"""

import pytest
from django.urls import reverse

from accounts import oidc
from accounts.models import ProviderIdentity


@pytest.mark.django_db
def test_off_by_default_no_button_and_no_provider_pages(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "sign-in-with-provider" not in page
    assert client.get(reverse("accounts:oidc_start")).status_code == 404
    assert client.get(reverse("accounts:oidc_callback"), {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("claim", "required", "claims", "met"),
    [
        ("acr", ["AAL3_ANY"], {"acr": "AAL3_ANY"}, True),
        ("acr", ["AAL3_ANY"], {"acr": "AAL1_USERPASS"}, False),
        ("acr", ["AAL3_ANY"], {}, False),
        ("acr", [], {"acr": "AAL3_ANY"}, False),  # nothing required: our own second step always applies
        ("amr", ["hwk", "sc"], {"amr": ["pwd", "sc"]}, True),
        ("amr", ["hwk", "sc"], {"amr": ["pwd"]}, False),
        ("authentication_assurance_level", ["3"], {"authentication_assurance_level": 3}, True),
        ("authentication_assurance_level", ["3"], {"authentication_assurance_level": "1"}, False),
    ],
)
def test_assurance_is_met_only_by_a_required_value(settings, claim, required, claims, met):
    settings.OIDC_ACR_CLAIM, settings.OIDC_REQUIRED_ACR = claim, required
    assert oidc.assurance_met(claims) is met


@pytest.mark.django_db
def test_an_identity_never_accepts_a_typed_code(coordinator):
    identity = ProviderIdentity.objects.create(
        user=coordinator, issuer="https://op.example", subject="1", confirmed=True
    )
    assert identity.name == "NHS identity"
    assert identity.verify_token("123456") is False
