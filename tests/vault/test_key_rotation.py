"""Rotating the key-encryption key: every held family key is re-wrapped, and the old key can then go."""

from django.core.management import call_command

from tests.vault.helpers_vault import family_with_filming
from vault import crypto, keys
from vault.models import FamilyKey


def test_rewrap_moves_every_key_to_the_new_kek(settings, service, coordinator, practitioner, capsys):
    referral, filming = family_with_filming(service, coordinator, practitioner, clips=())
    data_key = keys.family_key_for_new_film(referral)
    old = settings.VAULT_KEY_ENCRYPTION_KEY
    settings.VAULT_KEY_ENCRYPTION_KEY = "k2:" + "B" * 43 + "=," + old
    call_command("vault_rewrap_keys")
    assert "Re-wrapped 1 family key" in capsys.readouterr().out
    assert FamilyKey.objects.get().kek_id == "k2"
    settings.VAULT_KEY_ENCRYPTION_KEY = "k2:" + "B" * 43 + "="  # the old key removed
    assert keys.family_key(referral.pk) == data_key
    assert crypto.current_kek_id() == "k2"
