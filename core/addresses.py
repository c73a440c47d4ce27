"""Does a piece of text give away where a family lives? The matcher for confidential addresses (often a refuge).

Why words, not characters: a plain text match is beaten by what a hurried person types – "2404, Larch Close",
the address over two lines, "PE3-4AG", "2407 Larch Cl." – and it fires on a town that is in every letterhead, so
a family with a confidential address could never be written about at all. So both the address and the text are
folded the same way (case, accents, punctuation, spaces and line breaks; street-type and building abbreviations
expanded: Rd, St, Cl, Ave, Gdns, Hse, Cotts …), and the address is split into the parts that lead to the family
and the parts that do not:

- **leads to them**: the full postcode (any spacing, dash or case); the house number beside its street's name, in
  either order and with any punctuation or "no." between; the street's full name (name and type, "Larch Close")
  unless the name is only common words ("The Green", "Park Road" need the number); a flat or house name line
  ("Rowan House", "Rose Cottage"; not a bare "Flat 3");
- **never alone**: the locality, town and county, and the postcode's district ("PE3"): staff write these about
  services every day, and the letterhead carries them. (A locality named like a street, "Golders Green", counts
  as a street: better a letter reworded than a street given away.)

Why here: it is pure string work with no Django and nothing of ours, so letters (and anything else that ever
needs it) use one rule, and property tests run thousands of typed variants in seconds.
"""

import re
import unicodedata
from dataclasses import dataclass

# Street types, each with the abbreviations people type (Royal Mail's list and what staff write).
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "road": ("rd",),
    "street": ("st", "str"),
    "close": ("cl", "cls"),
    "avenue": ("ave", "av", "avn", "avnu"),
    "drive": ("dr", "drv"),
    "lane": ("ln",),
    "court": ("ct", "crt"),
    "crescent": ("cres", "cresc", "cr", "crs"),
    "gardens": ("gdns", "gdn", "gds", "gardns"),
    "place": ("pl",),
    "square": ("sq", "sqr"),
    "terrace": ("terr", "ter", "tce", "trce"),
    "grove": ("gr", "gro", "grv"),
    "park": ("pk",),
    "way": ("wy",),
    "mews": ("mws", "mew"),
    "boulevard": ("bvd", "blvd", "boul"),
    "parade": ("pde", "prde"),
    "row": ("rw",),
    "walk": ("wlk", "wk"),
    "green": ("grn",),
    "view": ("vw",),
    "yard": ("yd",),
    "approach": ("app", "appr"),
    "highway": ("hwy",),
    "meadow": ("mdw",),
    "meadows": ("mdws",),
    "heights": ("hts",),
    "esplanade": ("esp",),
    "promenade": ("prom",),
    "circle": ("cir", "circ"),
    "wharf": ("whf",),
    "quay": ("qy",),
    "rise": (),
    "hill": (),
    "vale": (),
    "chase": (),
    "croft": (),
    "gate": (),
    "path": (),
    "passage": (),
    "paddock": (),
    "orchard": (),
    "glade": (),
    "dene": (),
    "drove": (),
    "fold": (),
    "garth": (),
    "leys": (),
    "mead": (),
    "ride": (),
    "ridge": (),
    "villas": (),
    "wynd": (),
    "causeway": (),
    "embankment": (),
}
# Words that name a building or a dwelling in it.
BUILDING_WORDS: dict[str, tuple[str, ...]] = {
    "house": ("hse", "hs"),
    "cottage": ("cott", "cottg"),
    "cottages": ("cotts",),
    "building": ("bldg",),
    "buildings": ("bldgs",),
    "flat": ("flt",),
    "flats": (),
    "apartment": ("apt", "apmt"),
    "apartments": ("apts",),
    "lodge": (),
    "mansions": (),
    "bungalow": (),
    "tower": ("twr",),
    "villa": (),
    "block": ("blk",),
}
# "Flat 3", "Unit 2": a dwelling number inside a building, which says nothing on its own.
DWELLING_WORDS = frozenset({"flat", "apartment", "unit", "room", "suite", "maisonette", "block", "floor"})
# What may sit between a house number and its street: "no. 2404 Larch Close", "Larch Close at number 2404".
FILLERS = frozenset({"no", "nos", "number", "num", "nr"})
# Words too common to make a street or house name specific on their own ("The Green", "Old Park Road" does not).
COMMON_WORDS = frozenset(
    {"the", "a", "of", "and", "upper", "lower", "old", "new", "north", "south", "east", "west", "little", "great"}
)

ABBREVIATIONS: dict[str, str] = {
    short: word for table in (STREET_TYPES, BUILDING_WORDS) for word, shorts in table.items() for short in shorts
}

_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DIGIT_LETTER = re.compile(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])")
# A full UK postcode as people type it: outward code, then anything or nothing, then the inward code.
_POSTCODE = re.compile(r"(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?)[^a-z0-9]{0,3}([0-9][a-z]{2})(?![a-z0-9])", re.I)


def fold(text: str) -> str:
    """Lower case, accents off, invisible format characters dropped, apostrophes closed up ("Mary's" = "Marys"),
    every other run of punctuation, space or line break one space, and digits parted from letters ("24a")."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    text = _NOT_WORD.sub(" ", text.lower().translate(_APOSTROPHES))
    return _DIGIT_LETTER.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The folded words of `text`, each abbreviation expanded ("Cl." → "close", "Hse" → "house")."""
    return [ABBREVIATIONS.get(word, word) for word in fold(text).split()]


def _compact_postcode(value: str) -> str:
    return "".join(fold(value).split())


_GENERIC = COMMON_WORDS | STREET_TYPES.keys() | BUILDING_WORDS.keys() | DWELLING_WORDS


def _specific(sequence: tuple[str, ...]) -> bool:
    """Has at least one word that is not a number, a street type, a building word or a common word."""
    return any(not word.isdigit() and len(word) > 1 and word not in _GENERIC for word in sequence)


@dataclass(frozen=True)
class Street:
    """One street line: its house number (or None), its name without the type, and the full name (or None when
    it has no type, like "Broadway": then only the number beside it counts)."""

    number: str | None
    name: tuple[str, ...]
    full: tuple[str, ...] | None


@dataclass(frozen=True)
class Address:
    """The parts of one address that lead to the family (see the module's docstring)."""

    postcodes: tuple[str, ...]
    streets: tuple[Street, ...]
    names: tuple[tuple[str, ...], ...]


def _street(line: list[str]) -> Street | None:
    """The street in one address line ("12 Larch Close", "Flat 3 12 Larch Cl", "Main Street"), or None."""
    if len(line) >= 2 and line[0] in DWELLING_WORDS and line[1].isdigit():
        line = line[2:]
    number = None
    if line and line[0].isdigit():
        number = line[0]
        line = line[1:]
        while line and (line[0].isdigit() or len(line[0]) == 1):  # "24 a", "24-26"
            line = line[1:]
    elif len(line) >= 2 and line[-1].isdigit():  # "Larch Close 2404"
        number, line = line[-1], line[:-1]
    if not line:
        return None
    typed = next((i for i, word in enumerate(line) if i >= 1 and word in STREET_TYPES), None)
    if typed is not None:
        full = tuple(line[: typed + 1])
        return Street(number=number, name=full[:-1], full=full)
    if number is not None:
        return Street(number=number, name=tuple(line), full=None)
    return None


def _numbers_joined(lines: list[list[str]]) -> list[list[str]]:
    """ "2404" on one line and "Larch Close" on the next are one street line."""
    joined: list[list[str]] = []
    carried: list[str] = []
    for line in lines:
        if all(word.isdigit() or len(word) == 1 for word in line):
            carried += line
            continue
        joined.append(carried + line)
        carried = []
    return joined + ([carried] if carried else [])


def parse(address: str, postcode: str = "") -> Address:
    """Split a stored address (lines or commas, any order of the usual UK parts) into what leads to the family.

    Every line with a house number or ending in a street type is a street; lines before the first street are the
    flat or house name; other lines (locality, town, county) never count alone. Without any street line, the first
    of several lines counts as a house name only if it has a number or a building word ("Rose Cottage, Little
    Snoring, Norfolk"). A house number alone on its line belongs to the next line.
    """
    postcodes = {_compact_postcode(postcode)} if len(_compact_postcode(postcode)) >= 5 else set()
    postcodes |= {_compact_postcode(outward + inward) for outward, inward in _POSTCODE.findall(address or "")}
    text = _POSTCODE.sub(" ", address or "")
    lines = [words(part) for part in re.split(r"[\n\r,;]+", text)]
    lines = _numbers_joined([line for line in lines if line])
    streets = [(i, _street(line)) for i, line in enumerate(lines)]
    streets = [(i, street) for i, street in streets if street is not None]
    if streets:
        first = streets[0][0]
        premises = lines[:first]
    else:
        first_line = lines[0] if len(lines) >= 2 else []
        has_marker = any(w.isdigit() or w in BUILDING_WORDS for w in first_line)
        premises = [first_line] if has_marker else []
    names = []
    for line in premises + [line for line in lines if any(word in BUILDING_WORDS for word in line)]:
        while len(line) >= 2 and line[0] in DWELLING_WORDS and line[1].isdigit():
            line = line[2:]
        line = [word for word in line if not word.isdigit()] if line and line[0].isdigit() else line
        if _specific(tuple(line)) and tuple(line) not in names:
            names.append(tuple(line))
    return Address(
        postcodes=tuple(sorted(postcodes)),
        streets=tuple(street for _, street in streets),
        names=tuple(names),
    )


def _find(sequence: tuple[str, ...], text: list[str]) -> list[int]:
    """Where `sequence` starts in `text`, every time."""
    size = len(sequence)
    return [i for i in range(len(text) - size + 1) if tuple(text[i : i + size]) == sequence] if size else []


def _number_beside(number: str, text: list[str], start: int, end: int) -> bool:
    """Is the house number just before `start` or just after `end` (past a street type, "no.", a letter suffix)?"""
    i, skipped = start - 1, 0
    while i >= 0 and skipped < 3 and (text[i] in FILLERS or (len(text[i]) == 1 and not text[i].isdigit())):
        i, skipped = i - 1, skipped + 1
    if i >= 0 and text[i] == number:
        return True
    j, skipped = end, 0
    while j < len(text) and skipped < 3 and (text[j] in FILLERS or text[j] in STREET_TYPES):
        j, skipped = j + 1, skipped + 1
    return j < len(text) and text[j] == number


def postcode_in(text: str, postcode: str) -> bool:
    """The full postcode anywhere in `text`, whatever its case, spacing, dashes or line breaks."""
    compact = _compact_postcode(postcode)
    if len(compact) < 5:
        return False
    pattern = " ?".join(re.escape(ch) for ch in compact)
    return re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", fold(text)) is not None


def found_in(text: str, address: Address) -> str | None:
    """What of the address `text` gives away, in words for the person who wrote it; None if nothing."""
    if any(postcode_in(text, postcode) for postcode in address.postcodes):
        return "the postcode"
    typed = words(text)
    for street in address.streets:
        beside = street.name if _specific(street.name) or not street.full else street.full
        if street.number and any(
            _number_beside(street.number, typed, i, i + len(beside)) for i in _find(beside, typed)
        ):
            return "the house number and street"
        if street.full and _specific(street.name) and _find(street.full, typed):
            return "the street's name"
    for name in address.names:
        if _find(name, typed):
            return "the name of the house or flat"
    return None
