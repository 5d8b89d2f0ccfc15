"""The page's plots as inline SVG, drawn here rather than with matplotlib.

matplotlib would add ~41 MB to the resident size of the web worker that draws the page, for good, and
~0.3 s to its first page (measured: `import matplotlib.figure` and one SVG plot, numpy already loaded),
against the issue's 120 MB per worker. These plots need only lines, bars and axes, so they are a few
SVG elements written by hand: no JavaScript, nothing loaded from another host. Every point carries a
<title> with its exact value, and the page prints the same numbers in tables beside the plots.
"""
import math
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from recognizer.percent import format_percent

WIDTH, HEIGHT = 760, 230
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 34, 30  # margins around the plotting area (TOP holds one legend row)
LEGEND_ROW = 16  # each further legend row makes the plot this much taller
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#db2777")
MAX_X_LABELS = 8
TICKS = 5  # horizontal grid lines above zero

Value = float | None
Format = Callable[[float], str]


percent: Format = format_percent  # the one rule (recognizer/percent.py), one decimal


def integer(value: float) -> str:
    return f"{value:,.0f}"


def line_chart(
    *, label: str, days: Sequence[date], series: dict[str, Sequence[Value]], y_max: float | None = None,
    fmt: Format = percent, notes: dict[str, Sequence[str]] | None = None,
) -> SafeString:
    """One line per series over the days; None is a gap (no data that day). `notes` add to each point's
    tooltip (e.g. "39 of 40")."""
    top = y_max if y_max is not None else _nice_ceiling(max((v for s in series.values() for v in s if v is not None), default=0))
    legend = _legend(list(series))
    plot = _Plot(len(days), top, legend_rows=legend.rows)
    parts = legend.parts + plot.axes(fmt) + plot.x_labels(days)
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        parts += plot.line(values, colour)
        for i, value in enumerate(values):
            if value is not None:
                note = f" ({notes[name][i]})" if notes and notes.get(name) else ""
                parts.append(plot.point(i, value, colour, f"{days[i]} · {name}: {fmt(value)}{note}"))
    return plot.svg(label, parts)


def bar_chart(*, label: str, days: Sequence[date], values: Sequence[int], fmt: Format = integer) -> SafeString:
    """One bar per day, e.g. predictions per day."""
    plot = _Plot(len(days), _nice_ceiling(max([*values, TICKS])))  # at least 0..5: whole-number ticks
    parts = plot.axes(fmt) + plot.x_labels(days)
    parts += [plot.bar(i, value, COLOURS[0], f"{days[i]}: {fmt(value)}") for i, value in enumerate(values) if value]
    return plot.svg(label, parts)


def grouped_bar_chart(
    *, label: str, groups: Sequence[str], series: dict[str, Sequence[float]], fmt: Format
) -> SafeString:
    """Bars side by side within each group, e.g. p50/p95/p99 latency per endpoint."""
    values = [v for s in series.values() for v in s]
    legend = _legend(list(series))
    plot = _Plot(len(groups), _nice_ceiling(max(values, default=0)), legend_rows=legend.rows)
    parts = legend.parts + plot.axes(fmt) + plot.x_labels(list(groups), every=1)
    width = plot.step * 0.8 / max(len(series), 1)
    for index, (name, bars) in enumerate(series.items()):
        for i, value in enumerate(bars):
            x = plot.x(i) - plot.step * 0.4 + index * width
            parts.append(plot.bar_at(x, width * 0.9, value, COLOURS[index], f"{groups[i]} · {name}: {fmt(value)}"))
    return plot.svg(label, parts)


class _Plot:
    """Maps slot i (0..n-1, evenly spaced, centred) and values 0..top onto the plotting area, which sits
    below the legend's rows."""

    def __init__(self, slots: int, top: float, legend_rows: int = 1):
        self.slots, self.top = max(slots, 1), top or 1.0
        self.margin_top = TOP + LEGEND_ROW * max(legend_rows - 1, 0)
        self.height = HEIGHT + self.margin_top - TOP
        self.inner_w, self.inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.step = self.inner_w / self.slots

    def x(self, i: int) -> float:
        return LEFT + self.step * (i + 0.5)

    def y(self, value: float) -> float:
        return self.margin_top + self.inner_h * (1 - min(max(value / self.top, 0.0), 1.0))

    def axes(self, fmt: Format) -> list[str]:
        parts = []
        for k in range(TICKS + 1):
            value = self.top * k / TICKS
            y = self.y(value)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            parts.append(_text(LEFT - 6, y + 4, fmt(value), anchor="end"))
        return parts

    def x_labels(self, labels: Sequence, every: int | None = None) -> list[str]:
        every = every or math.ceil(len(labels) / MAX_X_LABELS) or 1
        return [_text(self.x(i), self.height - 10, str(label), anchor="middle") for i, label in enumerate(labels) if i % every == 0]

    def line(self, values: Sequence[Value], colour: str) -> list[str]:
        """Polylines through consecutive known values; a missing day breaks the line."""
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{self.x(i):.1f},{self.y(value):.1f}")
        return [f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="2"/>' for r in runs if len(r) > 1]

    def point(self, i: int, value: float, colour: str, title: str) -> str:
        return f'<circle cx="{self.x(i):.1f}" cy="{self.y(value):.1f}" r="3" fill="{colour}"><title>{escape(title)}</title></circle>'

    def bar(self, i: int, value: float, colour: str, title: str) -> str:
        width = max(self.step * 0.7, 1.0)
        return self.bar_at(self.x(i) - width / 2, width, value, colour, title)

    def bar_at(self, x: float, width: float, value: float, colour: str, title: str) -> str:
        y = self.y(value)
        return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{self.margin_top + self.inner_h - y:.1f}" '
                f'fill="{colour}"><title>{escape(title)}</title></rect>')


    def svg(self, label: str, parts: list[str]) -> SafeString:
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {self.height}" width="100%" role="img" '
            f'aria-label="{escape(label)}" style="max-width:{WIDTH}px">{"".join(parts)}</svg>'
        )


@dataclass
class _Legend:
    parts: list[str]
    rows: int


def _legend(names: list[str]) -> _Legend:
    """A swatch and a name per series, wrapping onto further rows when the names fill the width."""
    parts, x, row = [], LEFT, 0
    for index, name in enumerate(names):
        width = 28 + 7 * len(name)  # 7 px per character of 11 px text, roughly
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        y = 8 + LEGEND_ROW * row
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>')
        parts.append(_text(x + 16, y + 10, name))
        x += width
    return _Legend(parts, row + 1)


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="currentColor">{escape(text)}</text>'


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above `value`, so the TICKS grid lines fall on round numbers."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)
