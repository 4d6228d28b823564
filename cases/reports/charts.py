"""Bar charts as server-rendered SVG (``templates/reports/chart.html``): the geometry only.
Each series has a fill *and* a pattern (solid, hatched, dotted), so the chart reads without
colour; the colours have a contrast of at least 3:1 against white (WCAG 1.4.11). A hidden
(suppressed) value draws no bar; the table beside the chart says why."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from .present import Cell

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
#: (fill colour, pattern id) per series: dark blue solid, dark orange hatched, green dotted.
SERIES_STYLES = (("#1f4e79", "solid"), ("#a14400", "hatch"), ("#2e6b30", "dots"))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    fill: str
    pattern: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    exponent = math.floor(math.log10(float(value)))
    base = Decimal(10) ** exponent
    for step in (1, 2, 2.5, 5, 10):
        top = base * Decimal(str(step))
        if top >= value:
            return top
    return base * 10  # pragma: no cover


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[tuple[str, list[Cell]]],
) -> dict:
    """``series``: (name, one cell per category). Returns what the template draws."""
    values = [c.value for _name, cells in series for c in cells if c.value is not None]
    top = _nice_max(max((Decimal(v) for v in values), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(48.0, group_w * 0.8 / max(len(series), 1))
    bars = []
    for s, (name, cells) in enumerate(series):
        fill, pattern = SERIES_STYLES[s % len(SERIES_STYLES)]
        for c, cell in enumerate(cells):
            if cell.value is None:
                continue
            height = float(Decimal(cell.value) / top) * plot_h if cell.value > 0 else 0.0
            x = LEFT + c * group_w + (group_w - bar_w * len(series)) / 2 + s * bar_w
            bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(TOP + plot_h - height, 1),
                    width=round(bar_w - 2, 1),
                    height=round(height, 1),
                    series=s,
                    fill=fill,
                    pattern=f"{chart_id}-{pattern}",
                    title=f"{name}, {categories[c]}: {cell.text}",
                )
            )
    ticks = [
        Tick(y=round(TOP + plot_h - plot_h * i / 4, 1), label=_tick_label(top * i / 4))
        for i in range(5)
    ]
    labels = [
        (round(LEFT + c * group_w + group_w / 2, 1), name) for c, name in enumerate(categories)
    ]
    legend = [
        (name, SERIES_STYLES[s % 3][0], f"{chart_id}-{SERIES_STYLES[s % 3][1]}", LEFT + s * 200)
        for s, (name, _cells) in enumerate(series)
    ]
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": legend,
        "axis_left": LEFT,
        "axis_right": WIDTH - RIGHT,
        "axis_bottom": TOP + plot_h,
        "label_y": TOP + plot_h + 18,
        "legend_y": HEIGHT - 14,
    }


def _tick_label(value: Decimal) -> str:
    from django.utils.formats import number_format

    value = Decimal(value)
    return number_format(value.normalize() if value % 1 else int(value), force_grouping=True)
