"""The instruments, read from data: `outcomes/instruments/<code>.json` (scoring) and
`outcomes/instruments/wording/<code>.json` (wording we may ship, each under its own licence).

Why files and not database rows: the scoring facts are reviewed and tested like code (every worked example in
INSTRUMENTS.md runs against them), and they must be identical in every install. A completed measure stores the
instrument's code and version with the answers and the score it got, so a later correction of a definition never
changes a stored score silently. What *does* vary per service lives in the database: which measures and time points
a service uses (`MeasureConfig`), the wording a service has a licence for (`InstrumentWording`), and which threshold
set or reliable-change value it prefers where the evidence is weak.

Each definition holds: items with the score of each option by printed position (mixed orders and reverse keying are
just data), option sets, scales or subscales and how they combine (sum or mean), range, bands (and alternative
threshold sets, PBQ 2001/2006), conversion tables (SWEMWBS), risk items with the rule that raises them, the missing-
item rule, the reliable-change threshold with its confidence, the citation, the version and the licence.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent / "instruments"
CODES = ("epds", "core10", "wemwbs", "swemwbs", "kpcs", "prfq", "pbq", "phq9", "gad7", "gbo", "feedback")


@dataclass(frozen=True)
class Item:
    number: int
    kind: str  # "choice" or "text"
    option_set: str = ""
    scores: tuple[int, ...] = ()
    special_labels: dict = field(default_factory=dict)  # {position: label}, e.g. KPCS "Not applicable"
    scored: bool = True

    @property
    def key(self) -> str:
        return str(self.number)

    def neutral_label(self, position: int) -> str:
        return self.special_labels.get(position) or f"Option {position + 1}"


@dataclass(frozen=True)
class ReliableChange:
    threshold: Decimal
    confidence: str
    configurable: bool
    source: str


@dataclass(frozen=True)
class Scale:
    code: str
    label: str
    items: tuple[int, ...]
    combine: str  # "sum" or "mean"
    range: tuple[Decimal, Decimal]
    higher_is: str  # "worse", "better" or "neither"
    missing_rule: str  # "none" or "prorate"
    max_missing: int
    missing_note: str
    decimals: int
    bands: tuple[dict, ...]
    bands_by_set: dict
    cutoffs: tuple[dict, ...]
    conversion: dict
    reliable_change: ReliableChange | None
    bands_note: str = ""

    def bands_for(self, threshold_set: str) -> tuple[dict, ...]:
        return tuple(self.bands_by_set.get(threshold_set, ())) if self.bands_by_set else self.bands


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    version: str
    citation: str
    sources: tuple[str, ...]
    completed_by: str
    recall_period: str
    scoring_licence: str
    wording_licence: dict
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    primary_scale: str | None
    risk_items: tuple[dict, ...]
    threshold_sets: dict
    recorded_with: str  # "" (the outcomes form) or "helping_questions" (GBO)

    def __str__(self) -> str:
        return self.short_name

    def item(self, number: int) -> Item:
        return next(i for i in self.items if i.number == number)

    def scale(self, code: str) -> Scale:
        return next(s for s in self.scales if s.code == code)

    @property
    def primary(self) -> Scale | None:
        return self.scale(self.primary_scale) if self.primary_scale else None

    @property
    def wording_shipped(self) -> bool:
        return bool(self.wording_licence.get("shipped"))

    @property
    def default_threshold_set(self) -> str:
        return self.threshold_sets.get("default", "")

    @property
    def recorded_here(self) -> bool:
        return not self.recorded_with


def _scale(data: dict) -> Scale:
    missing = data.get("missing") or {"rule": "none"}
    rc = data.get("reliable_change")
    return Scale(
        code=data["code"],
        label=data["label"],
        items=tuple(data["items"]),
        combine=data["combine"],
        range=(Decimal(str(data["range"][0])), Decimal(str(data["range"][1]))),
        higher_is=data.get("higher_is", "neither"),
        missing_rule=missing["rule"],
        max_missing=missing.get("max_missing", 0),
        missing_note=missing.get("note", ""),
        decimals=missing.get("decimals", 0) if missing["rule"] == "prorate" else data.get("decimals", 0),
        bands=tuple(data.get("bands", ())),
        bands_by_set=data.get("bands_by_set", {}),
        cutoffs=tuple(data.get("cutoffs", ())),
        conversion={int(k): Decimal(v) for k, v in data.get("conversion", {}).items()},
        reliable_change=ReliableChange(
            Decimal(str(rc["threshold"])), rc["confidence"], rc["configurable"], rc["source"]
        )
        if rc
        else None,
        bands_note=data.get("bands_note", ""),
    )


def _item(data: dict, option_sets: dict) -> Item:
    if data.get("kind") == "text":
        return Item(number=data["number"], kind="text", scored=False)
    option_set = option_sets[data["options"]]
    return Item(
        number=data["number"],
        kind="choice",
        option_set=data["options"],
        scores=tuple(option_set["scores"]),
        special_labels={int(k): v for k, v in option_set.get("labels", {}).items()},
        scored=data.get("scored", True),
    )


def parse(data: dict) -> Instrument:
    """An instrument from its JSON definition."""
    return Instrument(
        code=data["code"],
        name=data["name"],
        short_name=data["short_name"],
        version=data["version"],
        citation=data["citation"],
        sources=tuple(data.get("sources", ())),
        completed_by=data.get("completed_by", "parent"),
        recall_period=data.get("recall_period", ""),
        scoring_licence=data.get("scoring_licence", ""),
        wording_licence=data.get("wording_licence", {}),
        items=tuple(_item(i, data.get("option_sets", {})) for i in data["items"]),
        scales=tuple(_scale(s) for s in data["scales"]),
        primary_scale=data.get("primary_scale"),
        risk_items=tuple(data.get("risk_items", ())),
        threshold_sets=data.get("threshold_sets", {}),
        recorded_with=data.get("recorded_with", ""),
    )


@cache
def instruments() -> dict[str, Instrument]:
    """Every shipped instrument by code, in the order services usually meet them."""
    return {code: parse(json.loads((DIRECTORY / f"{code}.json").read_text())) for code in CODES}


def get(code: str) -> Instrument:
    """One instrument by code (KeyError if unknown)."""
    return instruments()[code]


def choices(*, recorded_here: bool = False) -> list[tuple[str, str]]:
    """(code, name) pairs for forms and model choices."""
    return [
        (i.code, f"{i.short_name}: {i.name}" if i.short_name != i.name else i.name)
        for i in instruments().values()
        if not recorded_here or i.recorded_here
    ]


@cache
def shipped_wording(code: str) -> dict | None:
    """The wording we may ship for this instrument (its own licence inside), or None."""
    path = DIRECTORY / "wording" / f"{code}.json"
    return json.loads(path.read_text()) if path.exists() else None
