"""Shared set-up for governance tests: a closed family with two parents, a signed consent form and a family letter,
made through the actions; closure moved into the past (the one direct update: time passing)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from letters import actions as letter_actions
from referrals import actions as referral_actions
from referrals.models import Referral
from tests.cycles.helpers_consent import give_consent, make_family, people, upload, use_private_folder


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    use_private_folder(settings, tmp_path)
    storages = {**settings.STORAGES}
    storages["letters"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
    }
    settings.STORAGES = storages


def close_years_ago(referral, coordinator, years: int, *, days: int = 1) -> Referral:
    """Withdraw the referral, then say it was closed `years` years (and `days` days) ago."""
    referral_actions.withdraw_referral(referral=referral, reason="The family moved away.", by=coordinator)
    closed = timezone.now() - timedelta(days=365 * years + years // 4 + days)
    Referral.objects.filter(pk=referral.pk).update(closed_at=closed)
    referral.refresh_from_db()
    return referral


def family_with_files(service, coordinator, practitioner, capture):
    """(referral, consent, letter): both parents consented with a signed form; a family letter made as a PDF."""
    referral = make_family(service, coordinator, practitioner)
    consent = give_consent(referral, practitioner, signed_form=upload())
    letter = letter_actions.draft_letter(referral=referral, kind="family", by=practitioner)
    with capture(execute=True):
        letter = letter_actions.approve_letter(letter=letter, by=practitioner)
    letter.refresh_from_db()
    return referral, consent, letter


__all__ = ["people"]
