"""Each family's data key: made on the family's first film, unwrapped only in memory while a film is read or
written, and destroyed with the family's last film (crypto-shredding, ADR 0026)."""

from django.db import transaction
from django.utils import timezone

from referrals.models import Referral

from . import crypto
from .models import FamilyKey


def family_key(referral_id: int) -> bytes:
    """The family's data key (in memory only), or crypto.Unreadable when it was destroyed or never made."""
    row = FamilyKey.objects.filter(referral_id=referral_id).first()
    if row is None:
        raise crypto.Unreadable("The family has no key.")
    return crypto.unwrap(row.kek_id, row.wrapped, referral_id=referral_id)


def family_key_for_new_film(referral: Referral) -> bytes:
    """The family's data key, made now if the family has none (under the row lock, so two uploads make one)."""
    with transaction.atomic():
        Referral.objects.select_for_update().filter(pk=referral.pk).first()
        row = FamilyKey.objects.filter(referral=referral).first()
        if row is None:
            data_key = crypto.new_data_key()
            kek_id, wrapped = crypto.wrap(data_key, referral_id=referral.pk)
            FamilyKey.objects.create(referral=referral, kek_id=kek_id, wrapped=wrapped)
            return data_key
        if row.destroyed_at is not None:
            # The family's earlier films were destroyed: a new film gets a new key, never the old one back.
            data_key = crypto.new_data_key()
            row.kek_id, row.wrapped = crypto.wrap(data_key, referral_id=referral.pk)
            row.destroyed_at = row.destroyed_by = None
            row.save(update_fields=["kek_id", "wrapped", "destroyed_at", "destroyed_by"])
            return data_key
        return crypto.unwrap(row.kek_id, row.wrapped, referral_id=referral.pk)


def destroy_family_key(referral_id: int, *, by) -> bool:
    """Erase the family's wrapped key (its films are unreadable from now on, every copy). True if one was held."""
    return bool(
        FamilyKey.objects.filter(referral_id=referral_id, destroyed_at__isnull=True).update(
            wrapped=None, destroyed_at=timezone.now(), destroyed_by=by
        )
    )


def rewrap_all() -> int:
    """Key rotation: wrap every held family key with the current KEK (after adding a new one first in
    VAULT_KEY_ENCRYPTION_KEY). Once done, the old KEK can be removed, and old database backups holding keys wrapped
    by it become unreadable with it. Returns how many keys were re-wrapped."""
    current, done = crypto.current_kek_id(), 0
    for row in FamilyKey.objects.filter(destroyed_at__isnull=True).exclude(kek_id=current).iterator():
        with transaction.atomic():
            locked = FamilyKey.objects.select_for_update().get(pk=row.pk)
            if locked.destroyed_at is not None or locked.kek_id == current:
                continue
            data_key = crypto.unwrap(locked.kek_id, locked.wrapped, referral_id=locked.referral_id)
            locked.kek_id, locked.wrapped = crypto.wrap(data_key, referral_id=locked.referral_id)
            locked.save(update_fields=["kek_id", "wrapped"])
            done += 1
    return done
