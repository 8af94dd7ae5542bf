"""Small inline SVG charts for the report: bars and the system-boundary flow diagram.

Pure SVG text, no plotting library: the charts are few and simple, render the same in a
browser and in the PDF, and stay vector. Every label is escaped here, so the returned
:class:`markupsafe.Markup` is safe to insert in an autoescaped template.
"""

from markupsafe import Markup, escape

#: Stage colours, upstream (dark) to downstream (light); colour-blind safe (Okabe-Ito order).
PALETTE = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999")
FONT = "'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif"


def bar_chart(rows, *, unit, width=640, bar_height=20, gap=7, title=""):
    """Horizontal bars, one per (label, value, share) row.

    Parameters
    ----------
    rows : list of (str, float, float)
        Label, value [unit] and share of the total (fraction; shown as a percentage).
    unit : str
        Unit of the values, printed once above the values.
    """
    if not rows:
        return Markup("")
    labels = [_clip(label, 30) for label, _, _ in rows]
    # about 6.5 px per Latin character and 12 px per CJK character at 12 px
    label_width = min(220, max(60, max(text_width(label) for label in labels) + 12))
    value_width = 130
    plot = width - label_width - value_width
    largest = max(abs(value) for _, value, _ in rows) or 1.0
    has_negative = any(value < 0 for _, value, _ in rows)
    zero = label_width + (plot / 2 if has_negative else 0)
    scale = (plot / 2 if has_negative else plot) / largest
    top = 34 if title else 18
    height = top + len(rows) * (bar_height + gap) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img">']
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>')
    parts.append(f'<text x="{width - value_width + 6}" y="{top - 6}" font-size="10" fill="#555">{escape(unit)}</text>')
    for i, ((_, value, share), label) in enumerate(zip(rows, labels)):
        y = top + i * (bar_height + gap)
        length = abs(value) * scale
        x = zero if value >= 0 else zero - length
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(length, 0.5):.1f}" height="{bar_height}" fill="{colour}"/>')
        text = f"{value:,.1f}" + (f"  ({share:.1%})" if share is not None else "")
        parts.append(f'<text x="{width - value_width + 6}" y="{y + bar_height * 0.7:.1f}">{escape(text)}</text>')
    parts.append(f'<line x1="{zero:.1f}" y1="{top - 2}" x2="{zero:.1f}" y2="{height - 2}" stroke="#333" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def flow_diagram(stages, *, title="", boundary_label="", output_label="", left_title="", right_title="", width=640):
    """The product system as a top-down chain of stages, with their inputs.

    Parameters
    ----------
    stages : list of dict
        Upstream first; each with ``name`` (text, or a list of lines such as the Chinese and
        English names), ``site``, ``electricity`` (text of the electricity input) and
        ``inputs`` (list of material/energy input texts).
    output_label : str or list of str
        What leaves the last stage (one line per item).
    """
    line = 13
    left_w = 136  # electricity texts end here (right-aligned)
    box_x, box_w = 168, 184
    right_x = box_x + box_w + 20  # inputs start here
    right_room = width - right_x - 24  # [px] for an input's text
    top = (40 if title else 20) + 16
    names = [stage["name"] if isinstance(stage["name"], (list, tuple)) else [stage["name"]] for stage in stages]
    boxes = [12 + line * (len(lines) + 1) for lines in names]  # name lines and the site line
    rows = [max(box + 30, 26 + line * len(stage.get("inputs") or [])) for box, stage in zip(boxes, stages)]
    outputs = list(output_label) if isinstance(output_label, (list, tuple)) else [output_label]
    height = top + sum(rows) + 40 + line * len(outputs)
    centre = box_x + box_w / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11" role="img">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
             '<path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>']
    if title:
        parts.append(f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>')
    frame_top = top - 22
    frame_height = sum(rows) + 26  # the last row, then a line for the boundary label
    parts.append(f'<rect x="2" y="{frame_top}" width="{width - 4}" height="{frame_height}" fill="none" '
                 f'stroke="#2e7d32" stroke-dasharray="6 4" stroke-width="1.2"/>')
    parts.append(f'<text x="{width - 10}" y="{frame_top + frame_height - 6}" text-anchor="end" fill="#2e7d32">{escape(boundary_label)}</text>')
    parts.append(f'<text x="12" y="{frame_top + 14}" font-weight="bold" fill="#555">{escape(left_title)}</text>')
    parts.append(f'<text x="{right_x}" y="{frame_top + 14}" font-weight="bold" fill="#555">{escape(right_title)}</text>')
    y = top
    for i, stage in enumerate(stages):
        colour = PALETTE[i % len(PALETTE)]
        box_h = boxes[i]
        middle = y + box_h / 2
        parts.append(f'<rect x="{box_x}" y="{y}" width="{box_w}" height="{box_h}" rx="5" fill="{colour}" fill-opacity="0.15" stroke="{colour}"/>')
        for k, text in enumerate(names[i]):
            weight = ' font-weight="bold"' if k == 0 else ' fill="#333"'
            parts.append(f'<text x="{centre}" y="{y + 16 + k * line}" text-anchor="middle"{weight}>{escape(fit_text(text, box_w - 8, 11))}</text>')
        parts.append(f'<text x="{centre}" y="{y + 16 + len(names[i]) * line}" text-anchor="middle" fill="#444" font-size="10">{escape(stage["site"])}</text>')
        if stage.get("electricity"):
            parts.append(f'<text x="{left_w}" y="{middle + 4:.1f}" text-anchor="end">{escape(fit_text(stage["electricity"], left_w - 4, 11))}</text>')
            parts.append(f'<line x1="{left_w + 4}" y1="{middle:.1f}" x2="{box_x - 2}" y2="{middle:.1f}" stroke="#333" marker-end="url(#arrow)"/>')
        inputs = stage.get("inputs") or []
        # centred on the box, but never above the top of its own row (a long list grows downwards)
        first = max(middle + 4 - (len(inputs) - 1) * line / 2, y + 10)
        for k, text in enumerate(inputs):
            parts.append(f'<text x="{right_x}" y="{first + k * line:.1f}" font-size="10">{escape(fit_text(text, right_room, 10))}</text>')
        if inputs:
            parts.append(f'<line x1="{right_x - 6}" y1="{middle:.1f}" x2="{box_x + box_w + 2}" y2="{middle:.1f}" stroke="#333" marker-end="url(#arrow)"/>')
        if len(inputs) > 1:
            parts.append(f'<line x1="{right_x - 6}" y1="{first - 4:.1f}" x2="{right_x - 6}" y2="{first + (len(inputs) - 1) * line - 4:.1f}" stroke="#333"/>')
        if i < len(stages) - 1:
            parts.append(f'<line x1="{centre}" y1="{y + box_h}" x2="{centre}" y2="{y + rows[i] - 2}" stroke="#333" marker-end="url(#arrow)"/>')
        y += rows[i]
    y_out = y - rows[-1] + boxes[-1]
    arrow_end = top + sum(rows) + 24
    parts.append(f'<line x1="{centre}" y1="{y_out}" x2="{centre}" y2="{arrow_end}" stroke="#333" marker-end="url(#arrow)"/>')
    for k, text in enumerate(outputs):
        parts.append(f'<text x="{centre}" y="{arrow_end + 12 + k * line}" text-anchor="middle">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def fit_text(text, room, size):
    """``text`` clipped with "…" so that it fits ``room`` px at font ``size`` (see :func:`text_width`)."""
    text = str(text)
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _clip(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def text_width(text, size=12):
    """Rough rendered width of ``text`` [px]: CJK glyphs are square, Latin about 0.55 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in str(text))
