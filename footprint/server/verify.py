"""The public verification page of a certificate: /verify/{certificate}, in Chinese and English.

The QR code of a certificate or label opens ``<base>/{number}?sha256=<digest>``
(:func:`footprint.registry.document.qr_payload`). The page shows the certificate's holder,
product, value, scheme, dates, certification body and status (valid, suspended, withdrawn,
expired, renewed) on today, and whether the digest is the issued certificate's. Nothing
else is shown: no dossier, findings, audits, surveillance notes or hashes of private files
(:func:`public_certificate` picks the fields). No token is needed. Every value is
HTML-escaped; ``?lang=zh``, ``en`` or ``both`` (default).
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from footprint.i18n import words

router = APIRouter()
LANGS = ("both", "zh", "en")
#: The fields of a certificate record a member of the public sees.
PUBLIC = ("certificate", "status", "scheme", "holder", "body", "product", "models", "declared", "issued_on", "expires_on")


def public_certificate(number: str, *, sha256: str | None = None, registry=None) -> dict | None:
    """The public fields of a certificate (None when the registry has no such certificate) and whether ``sha256`` is its digest."""
    import json

    from footprint.errors import InputError
    from footprint.registry import store
    from footprint.registry.db import transaction
    from footprint.registry.records import show
    from footprint.signing import digest_of_signed

    try:
        record = show(number, registry=registry)
    except InputError:
        return None
    if "certificate" not in record or "holder" not in record:
        return None
    public = {key: record[key] for key in PUBLIC}
    public["product"] = {"id": record["product"]["id"], "name": record["product"]["name"]}
    if sha256 is not None:
        with transaction(registry, write=False) as session:
            signed = json.loads(store.stored(session, store.certificate(session, number).document_sha256))
        public["digest_matches"] = digest_of_signed(signed) == sha256.strip().lower()
    return public


def _say(kind, key, lang, **values):
    entry = words(kind, key)
    if lang == "both":
        zh, en = entry["zh"].format(**values), entry["en"].format(**values)
        return f'<span lang="zh">{html.escape(zh)}</span> <span lang="en">{html.escape(en)}</span>'
    return f'<span lang="{lang}">{html.escape(entry[lang].format(**values))}</span>'


_STYLE = """body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem;border-bottom:1px solid #ddd;vertical-align:top}
th{width:38%;font-weight:600}.status{display:inline-block;padding:.2rem .6rem;border-radius:.3rem;color:#fff;font-weight:700}
.valid{background:#1e7b34}.suspended{background:#b26a00}.withdrawn,.expired,.unknown{background:#a11}.renewed{background:#555}
span[lang=en]{color:#444}.status span[lang]{color:#fff}.note{font-size:.85rem;color:#555;margin-top:1.5rem}"""


def render_page(public: dict | None, number: str, lang: str) -> str:
    """The page's HTML: the certificate's public fields, or 'no such certificate'."""
    title = _say("verify_page", "title", lang)
    rows = []
    if public is None:
        body = f'<p id="status"><span class="status unknown">{_say("verify_page", "unknown", lang)}</span></p>' \
               f'<p>{_say("verify_page", "not_found", lang, number=number)}</p>'
    else:
        status = public["status"]
        body = f'<p id="status"><span class="status {html.escape(status)}">{_say("verify_page", status, lang)}</span></p>'
        if "digest_matches" in public:
            body += f'<p id="digest">{_say("verify_page", "digest_ok" if public["digest_matches"] else "digest_bad", lang)}</p>'
        declared = public["declared"]
        product = public["product"]["name"] + (f" ({', '.join(public['models'])})" if public["models"] else "")
        fields = (("number", public["certificate"]), ("holder", public["holder"]), ("product", product),
                  ("value", f"{declared['text']} {declared['unit']}"), ("scheme", public["scheme"]),
                  ("body", public["body"]), ("issued", public["issued_on"]), ("expires", public["expires_on"] or "-"))
        for key, value in fields:
            rows.append(f'<tr id="{key}"><th>{_say("certificate_word", key, lang)}</th><td>{html.escape(str(value))}</td></tr>')
        body += f"<table>{''.join(rows)}</table>"
    note = _say("verify_page", "note", lang)
    page_lang = "zh" if lang == "zh" else "en"
    return (f'<!doctype html><html lang="{page_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(number)}</title>'
            f"<style>{_STYLE}</style></head><body><h1>{title}</h1>{body}<p class=\"note\">{note}</p></body></html>")


@router.get("/verify/{number}", response_class=HTMLResponse)
async def verify_page(request: Request, number: str, lang: str = "both", sha256: str | None = None):
    from footprint.server.http import ServerError

    if lang not in LANGS:
        raise ServerError(400, "BadRequest", f"lang: got {lang!r:.20}; expected both, zh or en")
    number = number.strip()[:80]
    public = await run_in_threadpool(public_certificate, number, sha256=sha256, registry=request.app.state.registry)
    page = render_page(public, number, lang)
    return HTMLResponse(page, status_code=200 if public is not None else 404,
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                 "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
