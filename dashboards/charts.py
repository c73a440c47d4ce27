"""Horizontal SVG bar charts drawn on the server (no JavaScript): the geometry here, the <svg> in
`dashboards.templatetags.dashboard_tags`, and the same numbers in the table beside it (the accessible version).

Sized to be read at a glance at its natural size (the SVG's width is its viewBox's, so it is not shrunk to fit a
narrow column on a desktop): labels and values in 16px text like the page's body, bars 28px high. A chart is drawn
only where it shows more than its table does: with fewer than three rows (two sources, "0 cycles / 1 cycle") the
table alone says it as quickly."""

FONT_SIZE, BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 16, 28, 8, 210, 300, 64
LABEL_CHARACTERS = 24  # about what LABEL_WIDTH holds at FONT_SIZE
FEWEST_ROWS = 3


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(rows: list[tuple[str, float | int | None]]) -> dict | None:
    """Bars scaled to the largest value, every row drawn (a zero is a bar of no length with its 0 beside it); None
    when there is nothing to draw or too little for a chart to add anything to its table."""
    values = [value or 0 for _, value in rows]
    if len(rows) < FEWEST_ROWS or not any(values):
        return None
    top = max(values)
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        bars.append(
            {
                "label": _short(str(label)),
                "value": value or 0,
                "y": y,
                "text_y": y + BAR_HEIGHT // 2 + FONT_SIZE * 3 // 8,
                "width": round(BAR_WIDTH * (value or 0) / top, 1),
                "value_x": round(LABEL_WIDTH + BAR_WIDTH * (value or 0) / top + 8, 1),  # just past the bar's end
            }
        )
    return {
        "bars": bars,
        "font_size": FONT_SIZE,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": len(rows) * (BAR_HEIGHT + GAP) - GAP,
    }
