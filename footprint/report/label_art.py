"""Label artwork: the label as SVG (from ``report_templates/label.svg.j2``) and PNG, with a QR code.

The QR code carries the result's identity and hash (:func:`qr_payload`), so a reader can
check a printed label against the dossier: same product, scheme, value and SHA-256, and what
the label is worth (self-assessed, certified or expired; whether the scheme's rules were read
in its own text). The artwork only shows what :class:`footprint.labels.LabelDecision` decided:
a self-assessment carries a "self-assessed, not certified" watermark and never the scheme's
mark.
The PNG is the SVG rendered through the same HTML-to-PDF engine as the report and
rasterised with PDFium, so it always matches the SVG, including a user's own template.
"""

import io
import re
import uuid

import segno
from markupsafe import Markup

from footprint.report.charts import fit_text, text_width
from footprint.report.templates import read_strings

#: Namespace of the deterministic ids: the same result and scheme always get the same id.
ID_NAMESPACE = uuid.UUID("5c0b6b0e-8d43-4f0c-9a54-6f6f74707269")
LABEL_SIZE = (420, 300)  # [px] width, height of the label artwork
PAYLOAD_FORMAT = "footprint-label/2"


def label_id(decision):
    """The label's identity: a UUID derived from its inputs.

    The result hash and the scheme; for the ECS, the SHA-256 of the factor table and shares
    file the value comes from; for a certificate, its number and issue date. So a
    self-assessment's id depends on the result and scheme only, the certified label of the
    same result is another label with another id, and the evaluation date does not count: a
    certificate that expires keeps its id.
    """
    name = f"{decision.result_sha256}:{decision.scheme}"
    for digest in _factor_hashes(decision):
        name += f":{digest}"
    if decision.certificate:
        name += f":certificate={decision.certificate}:issued={decision.issued}"
    return str(uuid.uuid5(ID_NAMESPACE, name))


def _factor_hashes(decision):
    """SHA-256 of the ECS factor table and shares file (empty for other schemes)."""
    ecs = decision.ecs or {}
    return [digest for digest in (ecs.get("table_sha256"), ecs.get("shares_sha256")) if digest]


def qr_payload(decision):
    """The text the QR code carries: ``key=value`` fields separated by ``;``.

    The value keeps the scheme's rounding; ``sha256`` is :func:`footprint.labels.result_sha256`.
    ``status`` is self-assessed, certified or expired; ``rule`` is ``unconfirmed`` when a rule
    of the scheme was not read in its own text. For an ECS value, ``factors`` (and ``shares``)
    are the SHA-256 of the files it comes from.
    """
    ecs = decision.ecs or {}
    fields = [
        PAYLOAD_FORMAT,
        f"id={label_id(decision)}",
        f"scheme={decision.scheme}",
        f"product={decision.product}",
        f"value={decision.value_text} {decision.unit}",
        f"grade={decision.grade or '-'}",
        f"status={decision.status}",
        f"rule={'confirmed' if decision.rule_confirmed else 'unconfirmed'}",
        f"certificate={decision.certificate or '-'}",
        f"valid_until={decision.valid_until or '-'}",
        f"sha256={decision.result_sha256}",
    ]
    if ecs.get("table_sha256"):
        fields.append(f"factors={ecs['table_sha256']}")
    if ecs.get("shares_sha256"):
        fields.append(f"shares={ecs['shares_sha256']}")
    return ";".join(fields)


def qr_path(payload, *, size):
    """The QR code of ``payload`` as one SVG ``<path>`` filling a ``size`` x ``size`` square.

    Returns
    -------
    (Markup, segno.QRCode)
        The path element (drawn at the origin; translate it into place) and the code.
    """
    code = segno.make(payload, error="m", micro=False)
    border = 4  # the quiet zone ISO/IEC 18004 asks for
    modules = len(code.matrix) + 2 * border
    unit = size / modules
    commands = []
    for r, line in enumerate(code.matrix):
        c = 0
        while c < len(line):
            if line[c]:
                start = c
                while c < len(line) and line[c]:
                    c += 1
                # one horizontal run of dark modules per sub-path keeps the path short
                commands.append(f"M{(start + border) * unit:.3f} {(r + border) * unit:.3f}h{(c - start) * unit:.3f}v{unit:.3f}h{-(c - start) * unit:.3f}z")
            else:
                c += 1
    path = f'<rect width="{size}" height="{size}" fill="#fff"/><path id="qr" fill="#000" d="{"".join(commands)}"/>'
    return Markup(path), code


def render_label_svg(env, decision, *, lang, scheme, product_name):
    """Render the label template to SVG text.

    Parameters
    ----------
    env : jinja2.Environment
        The report environment (autoescaping, bundled and user templates).
    decision : footprint.labels.LabelDecision
    lang : str
        ``en``, ``zh`` or ``both``.
    """
    width, height = LABEL_SIZE
    qr_size = 150
    payload = qr_payload(decision)
    path, _ = qr_path(payload, size=qr_size)
    strings = read_strings(env)
    default = strings.get("label_caption") or {"en": "", "zh": ""}
    caption = {lang_code: scheme.caption(lang_code) or default.get(lang_code, "") for lang_code in ("en", "zh")}
    template = env.get_template("label.svg.j2")
    return template.render(decision=decision, scheme=scheme, lang=lang, product_name=product_name, width=width,
                           strings=strings, caption=caption, fit=fit_size, clip=fit_text, wrap=wrap_lines,
                           height=height, qr=path, qr_size=qr_size, payload=payload, label_id=label_id(decision))


def fit_size(text, room, largest, smallest=7.0):
    """The largest font size [px], at most ``largest``, at which ``text`` fits ``room`` px.

    Widths are estimated (:func:`footprint.report.charts.text_width`: CJK glyphs square, Latin
    about 0.55 em), so sizes step down by 0.5 px with a little margin.
    """
    size = float(largest)
    while size > smallest and text_width(text, size) > room * 0.97:
        size -= 0.5
    return f"{size:g}"


def wrap_lines(text, room, size, lines=2):
    """``text`` broken into at most ``lines`` lines that fit ``room`` px at font ``size`` [px]:
    at spaces, or between CJK characters (Chinese names have no spaces); a word longer than a
    line, or what does not fit in the last line, is clipped with "…"."""
    if lines <= 1:
        return [fit_text(str(text).strip(), room, size)]
    # each token keeps the space before it, so that joining tokens gives the text back
    tokens = re.findall(r"\s*(?:[\u2e80-\uffff]|[^\s\u2e80-\uffff]+)", str(text).strip())
    found, current = [], ""
    for index, token in enumerate(tokens):
        candidate = (current + token) if current else token.lstrip()
        if text_width(candidate, size) <= room or not current:
            current = candidate
            continue
        found.append(current)
        current = token.lstrip()
        if len(found) == lines - 1:
            current += "".join(tokens[index + 1:])
            break
    found.append(current)
    return [fit_text(line, room, size) for line in found[:lines]]


def svg_to_png(svg, *, scale=3.0):
    """Rasterise label SVG to PNG bytes (WeasyPrint to PDF, then PDFium to pixels).

    Parameters
    ----------
    scale : float
        Pixels per CSS pixel; 3 gives about 290 dpi at the label's printed size.
    """
    import pypdfium2

    from footprint.report.pdf import html_to_pdf

    width, height = LABEL_SIZE
    html = (f'<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} '
            f'html, body {{ margin: 0; padding: 0 }} svg {{ display: block }}</style></head><body>{svg}</body></html>')
    pdf = html_to_pdf(html)
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale / 0.75).to_pil()  # a CSS px is 0.75 PDF point
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    finally:
        document.close()
    return buffer.getvalue()
