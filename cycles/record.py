"""The cycles app's sections of the family's record page, registered with `referrals.record`."""
