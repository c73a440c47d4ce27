"""UK postcodes as people type them ('pe11aa', 'PE1  1AA') and as we store them ('PE1 1AA')."""


def normalise(value: str) -> str:
    """Upper case with one space before the inward code; a partial postcode ('PE1') is left compact."""
    compact = "".join((value or "").split()).upper()
    if 5 <= len(compact) <= 7:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def outward_code(value: str) -> str:
    """The district ('PE1' of 'PE1 1AA'), which catchments are drawn in."""
    return normalise(value).split(" ")[0]
