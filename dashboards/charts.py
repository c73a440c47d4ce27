"""Horizontal SVG bar charts drawn on the server (no JavaScript): the geometry here, the <svg> in
templates/dashboards/_bar_chart.html, and the same numbers in the table beside it (the accessible version)."""

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 18, 6, 150, 220, 48


def bar_chart(rows: list[tuple[str, float | int | None]]) -> dict | None:
    """Bars scaled to the largest value; None when there is nothing to draw."""
    values = [value or 0 for _, value in rows]
    if not rows or not any(values):
        return None
    top = max(values)
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        bars.append(
            {
                "label": str(label)[:24],
                "value": value or 0,
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "width": round(BAR_WIDTH * (value or 0) / top, 1),
            }
        )
    return {
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "value_x": LABEL_WIDTH + BAR_WIDTH + 6,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": len(rows) * (BAR_HEIGHT + GAP),
    }
