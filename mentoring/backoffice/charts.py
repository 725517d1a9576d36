"""Bar charts for the reports page, laid out here and drawn as inline SVG by the template.

No JavaScript and no CDN: the geometry is computed on the server and the template only writes
attributes (the site's Content-Security-Policy forbids inline `style=`; colours come from
static/css/admin.css). A value shown as "<5" (a suppressed report) is drawn as a pale bar of 2.5, the middle of what
it may be, so that the picture gives away no more than the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mentoring.backoffice.reports import SMALL, Point, Series

WIDTH = 460  # about the width of a chart on the page, so that 12 units are 12 pixels
FONT = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under (or beside) the bar
    label_x: float
    label_y: float
    sublabel: str  # the year under a month, when it changes
    sublabel_y: float
    shown: str  # the value, as in the table
    value_x: float
    value_y: float
    suppressed: bool


@dataclass(frozen=True)
class Tick:
    y: float
    x1: float
    x2: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    horizontal: bool


def _drawn(point: Point) -> float:
    return SMALL / 2 if point.suppressed else point.value


def _scale_top(values: list[float]) -> tuple[float, float]:
    """A round top for the axis and the step between its gridlines (about four of them)."""
    top = max([*values, SMALL])
    raw_step = top / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = max(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step), 1)
    return math.ceil(top / step) * step, step


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def column_chart(series: Series, *, months: bool = False) -> Chart:
    """Vertical bars, one per point: months (label "Jan 2025" → "Jan", year beneath when it
    changes) or categories."""
    left, right, top_margin, bottom = 40, 8, 22, 40
    height = 240
    plot_w, plot_h = WIDTH - left - right, height - top_margin - bottom
    points = series.points
    top, step = _scale_top([_drawn(p) for p in points])
    slot = plot_w / max(len(points), 1)
    bar_w = slot * 0.7
    every = math.ceil(len(points) / 12)  # at most twelve labels along the axis
    bars, last_year = [], None
    for index, point in enumerate(points):
        bar_h = plot_h * _drawn(point) / top
        x = left + index * slot + (slot - bar_w) / 2
        y = top_margin + plot_h - bar_h
        label, sublabel = point.label, ""
        if months:
            label, year = point.label.split(" ")
            if year != last_year:
                sublabel, last_year = year, year
        if index % every:
            label = sublabel = ""
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(y, 1),
                width=round(bar_w, 1),
                height=round(bar_h, 1),
                label=label,
                label_x=round(x + bar_w / 2, 1),
                label_y=top_margin + plot_h + FONT + 4,
                sublabel=sublabel,
                sublabel_y=top_margin + plot_h + 2 * FONT + 6,
                shown=point.shown if len(points) <= 24 else "",
                value_x=round(x + bar_w / 2, 1),
                value_y=round(y - 5, 1),
                suppressed=point.suppressed,
            )
        )
    ticks = []
    tick = 0.0
    while tick <= top:
        y = top_margin + plot_h - plot_h * tick / top
        ticks.append(
            Tick(round(y, 1), left, WIDTH - right, _number(tick), left - 6, round(y + FONT / 3, 1))
        )
        tick += step
    return Chart(
        id=f"chart-{series.key}",
        title=series.title,
        width=WIDTH,
        height=height,
        bars=bars,
        ticks=ticks,
        horizontal=False,
    )


def bar_chart(series: Series) -> Chart:
    """Horizontal bars, one per category, the label on the left and the value at the end."""
    left, right, row, top_margin = 170, 40, 34, 6
    plot_w = WIDTH - left - right
    points = series.points
    top, _ = _scale_top([_drawn(p) for p in points])
    bars = []
    for index, point in enumerate(points):
        bar_w = plot_w * _drawn(point) / top
        y = top_margin + index * row
        bars.append(
            Bar(
                x=left,
                y=y + 6,
                width=round(bar_w, 1),
                height=row - 12,
                label=point.label,
                label_x=left - 8,
                label_y=y + row / 2 + FONT / 3,
                sublabel="",
                sublabel_y=0,
                shown=point.shown,
                value_x=round(left + bar_w + 6, 1),
                value_y=y + row / 2 + FONT / 3,
                suppressed=point.suppressed,
            )
        )
    return Chart(
        id=f"chart-{series.key}",
        title=series.title,
        width=WIDTH,
        height=top_margin * 2 + row * len(points),
        bars=bars,
        ticks=[],
        horizontal=True,
    )
