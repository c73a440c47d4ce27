"""When two typed names are the same person's, for the duplicate check (ADR 0031).

The duplicate check compares a parent's name only beside an exact date of birth in the same service, so the names
it compares are a handful, and the cost of a false match is one tick ("I have checked") by a coordinator, while the
cost of a missed one is two open records of one baby. The rule therefore forgives what a hurried person types
differently: case, accents, spacing and line breaks, punctuation (O'Brien, Smith-Jones), a title, the order (Jones,
Sarah), a first name given as an initial, a middle name or half a double-barrelled surname left out, and one slip of
the keyboard (a letter wrong, missing, extra, or two swapped). It does not know nicknames (Sam for Samantha) or a
changed surname.
"""

import unicodedata

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "rev", "sir", "dame", "lady", "lord"})
# One slip is forgiven only in a name this long (without spaces): in a short one it is too much of the name.
SLIP_MIN_LENGTH = 6


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    return [word for word in "".join(c if c.isalnum() else " " for c in text).split() if word not in TITLES]


def name_parts(name: str) -> tuple[str, ...]:
    """The name's words, first name first, without case, accents, punctuation or titles: "Mrs  Zoë O'Brien-Smith"
    and "O'Brien-Smith, Zoe" are both zoe, obrien, smith. Apostrophes join (O'Brien is obrien); any other mark or
    space separates; a comma means the surname was typed first."""
    surname, comma, given = (name or "").partition(",")
    if comma and _words(surname) and _words(given):
        return tuple(_words(given) + _words(surname))
    return tuple(_words(name or ""))


def name_key(name: str) -> str:
    """One string per way of writing a name the check treats as the same: what a correction must change for its
    name to count as new."""
    return " ".join(name_parts(name))


def _one_slip_apart(a: str, b: str) -> bool:
    """True when `b` is `a` with at most one letter changed, missing, added, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def _first_and_surname_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The first names agree (equal, or one is the other's initial) and one name's last word is among the other's
    later words: a middle name, or half of a double-barrelled surname, left out of one of them."""
    if len(a) < 2 or len(b) < 2:
        return False
    first_a, first_b = a[0], b[0]
    if first_a != first_b and not ((len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]):
        return False
    return a[-1] in b[1:] or b[-1] in a[1:]


def same_person_name(a: str, b: str) -> bool:
    """Could these two typed names be the same person's? (Beside the same date of birth: see the module.)"""
    parts_a, parts_b = name_parts(a), name_parts(b)
    if not parts_a or not parts_b:
        return False
    joined_a, joined_b = "".join(parts_a), "".join(parts_b)
    if joined_a == joined_b or sorted(parts_a) == sorted(parts_b):
        return True
    if min(len(joined_a), len(joined_b)) >= SLIP_MIN_LENGTH and _one_slip_apart(joined_a, joined_b):
        return True
    # As typed, or "Jones Sarah": the first name typed last without a comma.
    return (
        _first_and_surname_agree(parts_a, parts_b)
        or _first_and_surname_agree(parts_a[-1:] + parts_a[:-1], parts_b)
        or _first_and_surname_agree(parts_a, parts_b[-1:] + parts_b[:-1])
    )
