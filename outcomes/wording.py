"""Which words the form shows for each item: the service's licensed wording, else the wording we may ship, else
neutral labels ("Item 1", "Option 1"). The copyright line of whichever wording is shown goes with it."""

from dataclasses import dataclass

from . import definitions
from .definitions import Instrument
from .models import InstrumentWording


@dataclass(frozen=True)
class Wording:
    source: str  # "service", "shipped" or "neutral"
    stem: str
    items: dict[int, str]
    options: dict[int, list[str]]
    copyright: str
    licence: str

    def item_text(self, number: int) -> str:
        return self.items.get(number) or f"Item {number}"

    def option_labels(self, item) -> list[str]:
        given = self.options.get(item.number, [])
        return [
            item.special_labels.get(position)
            or (given[position] if position < len(given) else "")
            or item.neutral_label(position)
            for position in range(len(item.scores))
        ]


def _from_service(instrument: Instrument, row: InstrumentWording) -> Wording:
    lines = row.item_lines()
    option_lines = row.option_lines()
    options = {}
    for index, item in enumerate(instrument.items):
        if option_lines:
            options[item.number] = option_lines[0] if len(option_lines) == 1 else option_lines[index]
    return Wording(
        "service",
        row.stem,
        {item.number: lines[i] for i, item in enumerate(instrument.items) if i < len(lines)},
        options,
        row.copyright_notice,
        row.licence_note,
    )


def _shipped(instrument: Instrument, data: dict) -> Wording:
    sets = data.get("options", {})
    return Wording(
        "shipped",
        data.get("stem", ""),
        {int(k): v for k, v in data.get("items", {}).items()},
        {item.number: sets.get(item.option_set, []) for item in instrument.items if item.kind == "choice"},
        data.get("copyright", ""),
        data.get("licence", ""),
    )


def wording_for(instrument: Instrument, service_id: int) -> Wording:
    """The wording to show on this service's form for this instrument. One query."""
    row = InstrumentWording.objects.filter(service_id=service_id, instrument=instrument.code).first()
    if row is not None:
        return _from_service(instrument, row)
    data = definitions.shipped_wording(instrument.code) if instrument.wording_shipped else None
    if data is not None:
        return _shipped(instrument, data)
    return Wording("neutral", "", {}, {}, "", instrument.wording_licence.get("service_must", ""))
