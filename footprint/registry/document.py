"""The certificate document: signed JSON (the record), HTML and PDF (for people), in English, Chinese or both.

The JSON (format ``footprint-certificate/1``) carries the number, holder, product and models,
sites, the declared value, the scheme and its rule-pack version (the scheme file's SHA-256),
the dates, the surveillance schedule, the registry event it follows (its hash anchors the
registry's chain), the verification URL, and the signing key; its signature is its last
member (:mod:`footprint.signing`). The HTML and PDF are rendered from that signed JSON by
``report_templates/certificate.html.j2``: they show the key's fingerprint and a QR code whose
payload is the verification URL and the SHA-256 of the signed content
(``<url>?sha256=<hex>``), so a printed certificate can be checked against the JSON offline
and against the registry online.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from footprint.errors import InputError
from footprint.fileio import atomic_write
from footprint.signing import MEMBER, digest_of_signed

FORMAT = "footprint-certificate/1"
#: The environment variable that sets the verification URL's base (``issue --verify-url`` too).
VERIFY_URL_ENV = "FOOTPRINT_VERIFY_URL"
#: Until a certification body sets its own: ``.invalid`` is reserved (RFC 2606), so a QR code
#: made without a configured base cannot point anywhere by mistake.
DEFAULT_VERIFY_URL = "https://certificates.invalid/verify"
TEMPLATE = "certificate.html.j2"
LANGS = ("en", "zh", "both")


def verification_base(given: str | None = None) -> str:
    """The verification URL's base: ``given``, else ``FOOTPRINT_VERIFY_URL``, else :data:`DEFAULT_VERIFY_URL`."""
    base = str(given or os.environ.get(VERIFY_URL_ENV) or DEFAULT_VERIFY_URL).strip()
    if not base.startswith(("https://", "http://")):
        raise InputError(f"verification URL {base!r}: expected https://... (the base of the certificates' verification page)")
    return base.rstrip("/")


def certificate_document(session, cert, app, process, *, anchor: dict, public_key: dict, verify_url: str | None = None) -> dict:
    """The certificate's content (unsigned), from its row, its application and the scheme's process (as recorded when applying)."""
    from footprint.registry.models import Organisation, Product

    organisation = {row.id: row for row in session.query(Organisation).filter(
        Organisation.id.in_((cert.holder_id, cert.body_id, app.manufacturer_id)))}
    product = session.get(Product, cert.product_id)
    schedule = process.surveillance_schedule(cert.issued_on, cert.expires_on, cert.surveillance_months)
    return {
        "format": FORMAT,
        "number": cert.number,
        "scheme": {"id": cert.scheme, "name": process.name, "basis_standard": process.basis_standard,
                   "rule_pack": f"{cert.scheme}@{cert.scheme_sha256[:12]}", "scheme_sha256": cert.scheme_sha256},
        "holder": organisation[cert.holder_id].name,
        "manufacturer": organisation[app.manufacturer_id].name,
        "certification_body": organisation[cert.body_id].name,
        "product": {"id": product.code, "name": product.name},
        "models": json.loads(cert.models),
        "sites": json.loads(cert.sites),
        "declared": {"value": cert.declared_value, "text": cert.declared_text, "unit": cert.unit},
        "result_sha256": app.result_sha256,
        "dossier_sha256": app.dossier_sha256,
        "data_version": app.data_version,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "surveillance": {"months": cert.surveillance_months, "schedule": [day.isoformat() for day in schedule],
                         "basis": process.surveillance_basis if cert.surveillance_months == process.surveillance_months
                         else "set by the certification body at issue"},
        "application": app.number,
        "renews": app.renews,
        "registry_event": anchor,
        "verification_url": f"{verification_base(verify_url)}/{cert.number}",
        "signing_key": public_key,
    }


def qr_payload(signed: dict) -> str:
    """``<verification URL>?sha256=<SHA-256 of the signed content>``: checkable against the JSON offline."""
    return f"{signed['verification_url']}?sha256={digest_of_signed(signed)}"


def render_html(signed: dict, *, lang: str = "both", template_dir=None) -> str:
    """The certificate as HTML (A4, for the PDF too) from its signed JSON."""
    from footprint.i18n import names
    from footprint.report.label_art import qr_path
    from footprint.report.templates import environment, render_template

    if lang not in LANGS:
        raise InputError(f"lang: got {lang!r}; expected one of {', '.join(LANGS)}")
    env = environment(template_dir)
    payload = qr_payload(signed)
    qr, _ = qr_path(payload, size=120)
    content = {key: value for key, value in signed.items() if key != MEMBER}
    header = signed.get(MEMBER) or {}
    return render_template(env, lambda: env.get_template(TEMPLATE).render(
        cert=content, signature=header, qr=qr, qr_payload=payload, digest=digest_of_signed(signed), lang=lang,
        words=names("certificate_word")))


def write_documents(raw: bytes, *, out_dir, formats=("json", "html"), lang: str = "both", template_dir=None) -> list[Path]:
    """Write a certificate's files into ``out_dir``: the signed JSON as stored, HTML, PDF.

    Returns
    -------
    list of Path
    """
    from footprint.signing import split_signed_document

    signed = json.loads(raw)
    number = signed["number"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    unknown = set(formats) - {"json", "html", "pdf"}
    if unknown:
        raise InputError(f"format: {sorted(unknown)}; expected json, html or pdf")
    if "json" in formats:
        atomic_write(out / f"{number}.json", raw)
        written.append(out / f"{number}.json")
    if "html" in formats or "pdf" in formats:
        split_signed_document(raw, number)  # the stored bytes are as signed
        html = render_html(signed, lang=lang, template_dir=template_dir)
        if "html" in formats:
            atomic_write(out / f"{number}.html", html)
            written.append(out / f"{number}.html")
        if "pdf" in formats:
            from footprint.report.pdf import html_to_pdf
            from footprint.resources import data_dir

            atomic_write(out / f"{number}.pdf", html_to_pdf(html, base_url=str(template_dir or data_dir("report_templates"))))
            written.append(out / f"{number}.pdf")
    return written
