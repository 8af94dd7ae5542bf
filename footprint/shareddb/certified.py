"""A certified footprint's PACT ProductFootprint: the certified dossier's PACT figures, with the certificate as its assurance.

``footprint report --period ...`` writes the dossier's ``<stem>-pact.json`` (:mod:`footprint.report.pact`)
before a certificate exists: a draft, ``Deprecated`` ("self-assessed"). Once the certificate is
issued, :func:`certified_payload` makes the footprint the shared database exchanges through PACT:

- the dossier's figures unchanged (``pcf``: declared unit, amounts, reference period, data sources);
- ``status`` ``Active`` (the export sets ``Deprecated`` once superseded), no ``statusComment``;
- ``companyName`` the holder where the dossier named none; ``validityPeriodStart``/``End`` the
  certificate's issue date and last valid day where they meet PACT's rules (start on or after
  the reference period's end, end at most three years after it), else left to the three-year default;
- ``pcf.assurance`` (PACT 2.x CarbonFootprint ``assurance``: ``assurance`` and ``providerName``
  required [1]_): the certification body as provider, the issue date as ``completedAt``, the
  scheme as ``standardName``, the certificate number and its verification page in ``comments``;
- ``comment``: the certified value and the certificate, in words.

:func:`certified_findings` holds an entry of kind ``certified_footprint`` to the registry when it
is submitted and validated: its certificate exists and its holder owns the entry, the value and unit are the
certificate's, and
a payload carries the certified dossier's own figures and names the certificate.

References
----------
.. [1] WBCSD PACT, Technical Specifications for PCF Data Exchange 2.x, "Data Type: Assurance"
   (docs/research/pact.md, section 3).
"""

from __future__ import annotations

import datetime as _dt
import json

from sqlalchemy import select

from footprint.registry import store
from footprint.shareddb.checks import Finding

#: The suffix of the PACT file a report writes into a dossier (footprint.report: ``<stem>-pact.json``).
PACT_SUFFIX = "-pact.json"
#: The pcf fields that must be the certified dossier's own.
FIGURES = ("declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions",
           "referencePeriodStart", "referencePeriodEnd")


def dossier_pact(session, cert) -> dict | None:
    """The PACT JSON a report wrote into the certificate's dossier, or None (written without a reporting period)."""
    from footprint.registry.models import DossierFile

    files = session.scalars(select(DossierFile).where(DossierFile.application_id == cert.application_id)
                            .order_by(DossierFile.path)).all()
    found = next((row for row in files if row.path.endswith(PACT_SUFFIX)), None)
    if found is None:
        return None
    return json.loads(store.stored(session, found.sha256))


def certified_payload(session, cert, *, holder: str, body: str) -> dict | None:
    """The ProductFootprint of a certificate's footprint (see the module's description), or None without a dossier PACT file."""
    doc = dossier_pact(session, cert)
    if doc is None or not isinstance(doc.get("pcf"), dict):
        return None
    doc = json.loads(json.dumps(doc))  # a copy
    doc["status"] = "Active"
    doc.pop("statusComment", None)
    if not doc.get("companyName") or doc.get("companyName") == "not given":
        from footprint.report.pact import _urn_part

        doc["companyName"] = holder
        doc["companyIds"] = [f"urn:pact:company:customcode:vendor-assigned:{_urn_part(holder)}"]
    doc.pop("validityPeriodStart", None)
    doc.pop("validityPeriodEnd", None)
    doc.update(_validity(cert, doc["pcf"].get("referencePeriodEnd")))
    issued = f"{cert.issued_on.isoformat()}T00:00:00Z"
    # the signed certificate's own verification URL (what its QR code opens): a PACT reader elsewhere can follow it
    signed = json.loads(store.stored(session, cert.document_sha256))
    status_url = signed.get("verification_url") or f"/verify/{cert.number}"
    doc["pcf"]["assurance"] = {"assurance": True, "providerName": body, "completedAt": issued, "standardName": cert.scheme,
                               "comments": f"certificate {cert.number}; its status: {status_url}"}
    until = f", valid until {cert.expires_on.isoformat()}" if cert.expires_on else ""
    doc["comment"] = (f"Certified: {cert.declared_text or cert.declared_value} {cert.unit}, certificate {cert.number} "
                      f"({cert.scheme}) issued by {body} on {cert.issued_on.isoformat()}{until}. Figures of the certified "
                      "dossier's PACT export.")
    return doc


def _validity(cert, reference_end):
    """validityPeriodStart/End from the certificate when PACT allows them (as footprint.report.pact does), else nothing."""
    if cert.expires_on is None or not reference_end:
        return {}
    period_end = _dt.datetime.fromisoformat(str(reference_end).replace("Z", "+00:00")).date()  # already excluded
    start, end = cert.issued_on, cert.expires_on + _dt.timedelta(days=1)
    try:
        limit = period_end.replace(year=period_end.year + 3)
    except ValueError:  # 29 February
        limit = period_end.replace(year=period_end.year + 3, day=28)
    if start < period_end or end <= start or end > limit:
        return {}
    return {"validityPeriodStart": f"{start.isoformat()}T00:00:00Z", "validityPeriodEnd": f"{end.isoformat()}T00:00:00Z"}


def certified_findings(session, read: dict, *, owner_id: int) -> list[Finding]:
    """Errors of a certified footprint against the registry: no such certificate, an owner other than its holder,
    another value, another dossier's figures."""
    from footprint.registry.models import Certificate
    from footprint.units import Quantity

    number = read.get("certificate")
    cert = session.scalar(select(Certificate).where(Certificate.number == str(number)))
    if cert is None:
        return [Finding("error", "certificate", f"certificate {number}: not in the registry")]
    findings = []
    if owner_id != cert.holder_id:
        findings.append(Finding("error", "certificate", f"certificate {cert.number} is held by another organisation; only "
                                                        "its holder's entry is its certified footprint"))
    mine = read["quantity"]
    try:
        same = abs(float(mine.to(Quantity(1, _unit(cert.unit)).units).magnitude) - cert.declared_value) <= 1e-9 * abs(cert.declared_value)
    except Exception:  # another dimension, or a unit pint does not read
        same = False
    if not same:
        findings.append(Finding("error", "certificate", f"value {read['quantity']:~P}: certificate {cert.number} declares "
                                                        f"{cert.declared_value!r} {cert.unit}; expected the same"))
    payload = read.get("payload")
    if payload is not None and "pcf" in payload:
        dossier = dossier_pact(session, cert) or {}
        theirs = dossier.get("pcf") or {}
        differ = [key for key in FIGURES if payload["pcf"].get(key) != theirs.get(key)]
        if differ:
            findings.append(Finding("error", "certificate", f"payload pcf.{differ[0]}: not the figure of certificate "
                                                            f"{cert.number}'s dossier; expected its PACT export"))
        assurance = payload["pcf"].get("assurance") or {}
        if cert.number not in str(assurance.get("comments", "")):
            findings.append(Finding("error", "certificate", f"payload pcf.assurance: does not name certificate {cert.number}"))
    return findings


def _unit(text):
    from footprint.shareddb.checks import normalise_unit_text

    return normalise_unit_text(str(text))
