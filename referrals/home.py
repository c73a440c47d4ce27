"""Sections of the home page that the referrals app contributes, by role."""


def home_sections(request) -> list[dict]:
    return []
