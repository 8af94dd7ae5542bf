"""Plots of the uncertainty: a histogram of the Monte Carlo draws with a scheme's thresholds, and a tornado.

No plotting library: each chart is a few rectangles, lines and texts (:class:`Canvas`), written
as SVG text by hand (:func:`to_svg`, vector, for the report and the browser) or drawn as PNG
with Pillow (:func:`to_png`), the same geometry both ways. The colours are the report's
(Okabe-Ito, colour-blind safe). For the report: :func:`histogram_svg` and :func:`tornado_svg`
return the SVG text to inline; :func:`write_plot` writes a file by its suffix.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

import numpy as np

from footprint.errors import InputError

#: Colours: bars, the static result, thresholds, the median and the 95 % range, low and high ends.
BAR = "#56B4E9"
STATIC = "#000000"
THRESHOLD = "#D55E00"
MEDIAN = "#0072B2"
RANGE = "#999999"
LOW, HIGH = "#009E73", "#E69F00"
FONT = "'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif"
#: Suffixes :func:`write_plot` writes.
FORMATS = (".svg", ".png")


@dataclass
class Canvas:
    """A chart as primitives, in CSS pixels: ("rect", x, y, w, h, fill), ("line", x1, y1, x2, y2, colour, width, dashed),
    ("text", x, y, text, size, anchor, colour, bold)."""

    width: int
    height: int
    items: list = field(default_factory=list)
    title: str = ""

    def rect(self, x, y, w, h, fill):
        self.items.append(("rect", float(x), float(y), float(w), float(h), fill))

    def line(self, x1, y1, x2, y2, colour, width=1.0, dashed=False):
        self.items.append(("line", float(x1), float(y1), float(x2), float(y2), colour, float(width), dashed))

    def text(self, x, y, text, size=12, anchor="start", colour="#222222", bold=False):
        self.items.append(("text", float(x), float(y), str(text), float(size), anchor, colour, bold))


def histogram_chart(draws: Sequence[float] | np.ndarray, *, unit: str, static: float | None = None,
                    thresholds: Sequence[tuple[str, float]] = (), bins: int = 40, title: str = "",
                    width: int = 640, height: int = 320) -> Canvas:
    """A histogram of Monte Carlo draws, with the static result, the median, the 95 % range and thresholds.

    Parameters
    ----------
    draws : array of float
        The draws of the total [unit].
    unit : str
        Such as ``kg CO2-eq/kWp``.
    static : float, optional
        The static result [unit], drawn as a black line.
    thresholds : sequence of (str, float)
        A scheme's levels (label, maximum [unit]), drawn as dashed orange lines.
    bins : int
    title : str

    Returns
    -------
    Canvas
    """
    values = np.asarray(draws, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        raise InputError("histogram: no finite draws to plot")
    low, high = float(values.min()), float(values.max())
    marks = [value for value in [static, *[limit for _, limit in thresholds]] if value is not None]
    span_low, span_high = min([low, *marks]), max([high, *marks])
    pad = (span_high - span_low) * 0.04 or abs(span_high) * 0.01 or 1.0
    span_low, span_high = span_low - pad, span_high + pad
    counts, edges = np.histogram(values, bins=bins, range=(low, high) if high > low else (low - pad, high + pad))
    canvas = Canvas(width, height, title=title)
    left, right, top, bottom = 56, 16, 34 if title else 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(value):
        return left + (value - span_low) / (span_high - span_low) * plot_w

    if title:
        canvas.text(left, 18, title, 13, bold=True)
    peak = counts.max() or 1
    for count, start, end in zip(counts, edges[:-1], edges[1:]):
        h = count / peak * plot_h
        canvas.rect(x_of(start), top + plot_h - h, max(x_of(end) - x_of(start) - 0.5, 0.5), h, BAR)
    canvas.line(left, top + plot_h, left + plot_w, top + plot_h, "#333333")
    for tick in _ticks(span_low, span_high):
        canvas.line(x_of(tick), top + plot_h, x_of(tick), top + plot_h + 4, "#333333")
        canvas.text(x_of(tick), top + plot_h + 16, f"{tick:,.4g}", 10, "middle", "#333333")
    canvas.text(left + plot_w / 2, height - 8, unit, 11, "middle", "#333333")
    p025, median, p975 = np.percentile(values, [2.5, 50, 97.5])
    canvas.line(x_of(p025), top, x_of(p025), top + plot_h, RANGE, 1, True)
    canvas.line(x_of(p975), top, x_of(p975), top + plot_h, RANGE, 1, True)
    canvas.line(x_of(median), top, x_of(median), top + plot_h, MEDIAN, 1.5)
    canvas.text(x_of(median) + 3, top + 10, f"median {median:,.4g}", 10, colour=MEDIAN)
    if static is not None:
        canvas.line(x_of(static), top, x_of(static), top + plot_h, STATIC, 1.5)
        canvas.text(x_of(static) + 3, top + 24, f"static {static:,.4g}", 10, colour=STATIC)
    for position, (label, limit) in enumerate(thresholds):
        canvas.line(x_of(limit), top, x_of(limit), top + plot_h, THRESHOLD, 1.5, True)
        canvas.text(x_of(limit) - 3, top + 38 + 12 * position, f"{label} <= {limit:,.4g}", 10, "end", THRESHOLD)
    canvas.text(left - 6, top + plot_h, "0", 10, "end", "#333333")
    canvas.text(left - 6, top + 10, f"{int(peak):,}", 10, "end", "#333333")
    return canvas


def tornado_chart(tornado, *, top: int = 10, title: str = "", width: int = 640) -> Canvas:
    """A tornado: per figure, the total at its low (green) and high (orange) value around the static total.

    Parameters
    ----------
    tornado : footprint.uncertainty.sensitivity.Tornado
    top : int
        Bars shown (the largest swings).
    title : str

    Returns
    -------
    Canvas
    """
    bars = tornado.bars[:top]
    label_w, value_w, bar_h, gap = 230, 70, 18, 6
    top_y = 34 if title else 16
    height = top_y + len(bars) * (bar_h + gap) + 40
    canvas = Canvas(width, height, title=title)
    if title:
        canvas.text(0, 18, title, 13, bold=True)
    if not bars:
        canvas.text(0, top_y + 12, "no uncertain figures", 12)
        return canvas
    totals = [bar.total_low for bar in bars] + [bar.total_high for bar in bars] + [tornado.static]
    span_low, span_high = min(totals), max(totals)
    pad = (span_high - span_low) * 0.05 or 1.0
    span_low, span_high = span_low - pad, span_high + pad
    plot_w = width - label_w - value_w

    def x_of(value):
        return label_w + (value - span_low) / (span_high - span_low) * plot_w

    centre = x_of(tornado.static)
    for position, bar in enumerate(bars):
        y = top_y + position * (bar_h + gap)
        label = bar.label if len(bar.label) <= 36 else bar.label[:35] + "…"
        canvas.text(label_w - 8, y + bar_h * 0.72, label, 11, "end")
        for total, colour in ((bar.total_low, LOW), (bar.total_high, HIGH)):
            x = x_of(total)
            canvas.rect(min(x, centre), y, max(abs(x - centre), 0.5), bar_h, colour)
        canvas.text(width - value_w + 6, y + bar_h * 0.72, f"±{bar.swing / 2:,.3g}", 10, colour="#333333")
    bottom = top_y + len(bars) * (bar_h + gap)
    canvas.line(centre, top_y - 4, centre, bottom, STATIC, 1.5)
    for tick in _ticks(span_low, span_high):
        canvas.line(x_of(tick), bottom, x_of(tick), bottom + 4, "#333333")
        canvas.text(x_of(tick), bottom + 16, f"{tick:,.4g}", 10, "middle", "#333333")
    canvas.text(label_w + plot_w / 2, bottom + 32, f"{tornado.unit}; green: figure at its low value, orange: at its high", 10,
                "middle", "#333333")
    return canvas


def histogram_svg(result, *, thresholds: Sequence[tuple[str, float]] = (), title: str = "") -> str:
    """The histogram of a Monte Carlo result's total as SVG text (see :func:`histogram_chart`).

    Parameters
    ----------
    result : footprint.uncertainty.montecarlo.MonteCarloResult
    thresholds : sequence of (str, float)
        A scheme's levels (label, maximum in the result's unit).
    title : str

    Returns
    -------
    str
    """
    return to_svg(histogram_chart(result.samples_of("total"), unit=result.unit, static=result.total.static,
                                  thresholds=thresholds, title=title))


def tornado_svg(tornado, *, top: int = 10, title: str = "") -> str:
    """A tornado as SVG text (see :func:`tornado_chart`)."""
    return to_svg(tornado_chart(tornado, top=top, title=title))


def to_svg(canvas: Canvas) -> str:
    """The canvas as a standalone SVG document (every text escaped)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{canvas.width}" height="{canvas.height}" '
             f'viewBox="0 0 {canvas.width} {canvas.height}" font-family="{FONT}" role="img">']
    if canvas.title:
        parts.append(f"<title>{escape(canvas.title)}</title>")
    parts.append(f'<rect x="0" y="0" width="{canvas.width}" height="{canvas.height}" fill="#ffffff"/>')
    for item in canvas.items:
        if item[0] == "rect":
            _, x, y, w, h, fill = item
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>')
        elif item[0] == "line":
            _, x1, y1, x2, y2, colour, width, dashed = item
            dash = ' stroke-dasharray="4 3"' if dashed else ""
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                         f'stroke-width="{width:g}"{dash}/>')
        else:
            _, x, y, text, size, anchor, colour, bold = item
            weight = ' font-weight="bold"' if bold else ""
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{colour}"{weight}>'
                         f"{escape(text)}</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def to_png(canvas: Canvas, *, scale: float = 2.0) -> bytes:
    """The canvas drawn with Pillow, ``scale`` pixels per CSS pixel; PNG bytes."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (int(canvas.width * scale), int(canvas.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    fonts = {}
    for item in canvas.items:
        if item[0] == "rect":
            _, x, y, w, h, fill = item
            if w > 0 and h > 0:
                draw.rectangle([x * scale, y * scale, (x + w) * scale, (y + h) * scale], fill=fill)
        elif item[0] == "line":
            _, x1, y1, x2, y2, colour, width, dashed = item
            if dashed:
                _dashed(draw, x1 * scale, y1 * scale, x2 * scale, y2 * scale, colour, max(1, round(width * scale)))
            else:
                draw.line([x1 * scale, y1 * scale, x2 * scale, y2 * scale], fill=colour, width=max(1, round(width * scale)))
        else:
            _, x, y, text, size, anchor, colour, _ = item
            key = round(size * scale)
            if key not in fonts:
                fonts[key] = ImageFont.load_default(size=key)
            font = fonts[key]
            length = draw.textlength(text, font=font)
            left = x * scale - (length if anchor == "end" else length / 2 if anchor == "middle" else 0)
            draw.text((left, y * scale), text, fill=colour, font=font, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_plot(canvas: Canvas, path: str | os.PathLike) -> Path:
    """Write a chart as SVG or PNG, by the file's suffix (atomically).

    Raises
    ------
    InputError
        A suffix other than .svg or .png.
    """
    from footprint.fileio import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: got the suffix {path.suffix or '(none)'!r}; expected a plot file ending in .svg or .png")
    atomic_write(path, to_svg(canvas) if suffix == ".svg" else to_png(canvas))
    return path


def check_plot_path(path: str | os.PathLike) -> None:
    """Refuse a plot file name whose suffix is not .svg or .png (before anything is computed)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: got the suffix {Path(path).suffix or '(none)'!r}; expected a plot file ending in .svg or .png")


def _dashed(draw, x1, y1, x2, y2, colour, width, on=8.0, off=6.0):
    length = float(np.hypot(x2 - x1, y2 - y1))
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    position = 0.0
    while position < length:
        end = min(position + on, length)
        draw.line([x1 + dx * position, y1 + dy * position, x1 + dx * end, y1 + dy * end], fill=colour, width=width)
        position = end + off


def _ticks(low, high, count=5):
    """About ``count`` round tick values between low and high."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = np.ceil(low / step) * step
    return [float(v) for v in np.arange(first, high + step * 1e-9, step)]
