"""Small server-rendered SVG line charts (no JavaScript): the geometry here, the <svg> in the template, and the
same numbers in a table beside it."""

from decimal import Decimal

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 180, 44, 16, 12, 32


def line_chart(points: list[tuple[str, Decimal | None]], low: Decimal, high: Decimal) -> dict | None:
    """x positions spread evenly over the labels; y scaled to the instrument's range. None when nothing to draw."""
    drawable = [(label, value) for label, value in points if value is not None]
    if not drawable:
        return None
    span = (high - low) or Decimal(1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def y(value) -> float:
        return round(TOP + inner_h - float((Decimal(value) - low) / span) * inner_h, 1)

    dots, labels = [], []
    for index, (label, value) in enumerate(points):
        x = round(LEFT + (step * index if len(points) > 1 else inner_w / 2), 1)
        labels.append({"x": x, "text": label})
        if value is not None:
            dots.append({"x": x, "y": y(value), "value": value, "label": label})
    ticks = [{"y": y(v), "value": v} for v in (low, low + span / 2, high)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 10,
        "polyline": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "labels": labels,
        "ticks": ticks,
    }
