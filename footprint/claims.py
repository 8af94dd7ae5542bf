"""The claims ledger: which product claimed how much of each electricity instrument.

A site's green certificates, PPAs and on-site PV cover the same fraction of every kWh the
site consumes; each product of the site claims the share its output gives it
(:mod:`footprint.electricity`). One product's calculation cannot see what the site's other
products claimed, so the data directory keeps a ledger (``electricity-claims.json`` in
``FOOTPRINT_HOME``), written under a file lock:

- every ``compute()`` of a product (``footprint calc``, ``label``, ``report``) replaces that
  product's claims with the ones it just made (none, if it no longer names a site file);
- a claim that would bring an instrument's claims, all products together, above its MWh is
  an error naming the site, the instrument and the other product(s); so is a site whose
  instruments, all products' site files together, exceed its consumption, and an
  instrument to which two products' files give different sizes;
- ``footprint batch`` checks its variants against the other products' claims but records
  nothing: variants are what-ifs of one product, never claims of their own, and never
  claim against each other.

A product is its ``product.id``. The ledger holds each product's claims as of its last
calculation: a product that is no longer made keeps its claims until they are cleared
(:func:`clear_claims`, ``footprint claims --clear --product ID``).

GHG Protocol Scope 2 Guidance (WRI/WBCSD, 2015), Scope 2 quality criteria: an instrument's
attributes are claimed once, by one consumer, for the electricity it covers.
"""

import datetime as _dt
import json
import os
from dataclasses import asdict, dataclass, fields

import filelock

from footprint.errors import FootprintError, InputError

FORMAT = "footprint-electricity-claims/1"
LEDGER = "electricity-claims.json"
#: Relative slack on sums of MWh (rounding of the allocation by output).
TOLERANCE = 1e-9


@dataclass
class LedgerClaim:
    """One product's claim on one instrument, as recorded in the ledger."""

    product: str
    instrument: str  # the instrument id (certificate batch, contract or meter)
    type: str  # gec | ppa | onsite_pv
    site: str
    geography: str
    period: str  # the site's reporting period, "start/end"
    site_consumed_mwh: float  # [MWh]
    instrument_mwh: float  # [MWh] the whole instrument, as the product's site file gives it
    claimed_mwh: float  # [MWh] the product's share
    output_share: float  # the product's share of the site's output
    file: str  # the site electricity file that lists the instrument
    file_sha256: str
    product_file: str
    recorded_at: str

    @property
    def instrument_key(self):
        """Certificates and contracts are one instrument wherever they are listed; an on-site
        generator's meter id is only unique within its site."""
        if self.type == "onsite_pv":
            return (self.instrument, self.site, self.geography)
        return (self.instrument,)

    @property
    def site_key(self):
        return (self.site, self.geography, self.period)


def ledger_path():
    """The ledger file of the data directory."""
    from footprint.resources import home

    return home() / LEDGER


def _lock():
    from footprint.brightway.project import LOCK_TIMEOUT
    from footprint.resources import home

    path = home() / "electricity-claims.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(path), timeout=LOCK_TIMEOUT)


def _read():
    path = ledger_path()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        names = {f.name for f in fields(LedgerClaim)}
        return [LedgerClaim(**{key: value for key, value in item.items() if key in names}) for item in data["claims"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FootprintError(f"{path}: the electricity claims ledger cannot be read ({exc}); expected {FORMAT}. "
                             "Remove the file to start a new ledger (every product then records its claims again "
                             "when it is next computed)") from None


def _write(claims):
    path = ledger_path()
    payload = {"format": FORMAT, "claims": [asdict(claim) for claim in sorted(
        claims, key=lambda c: (c.site, c.geography, c.period, c.instrument, c.product))]}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def list_claims(*, product=None):
    """The claims recorded in the ledger (all products, or one).

    Returns
    -------
    list of LedgerClaim
    """
    with _lock():
        claims = _read()
    return [claim for claim in claims if product is None or claim.product == product]


def clear_claims(*, product=None):
    """Remove the claims of one product (or of all products) from the ledger.

    Returns
    -------
    int
        How many claims were removed.
    """
    with _lock():
        claims = _read()
        kept = [claim for claim in claims if product is not None and claim.product != product]
        if len(kept) != len(claims):
            _write(kept)
    return len(claims) - len(kept)


def claims_of(electricity_plan, *, product_id, product_file):
    """The ledger claims a product's electricity plan makes (none without site files)."""
    if electricity_plan is None:
        return []
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return [LedgerClaim(
        product=product_id, instrument=claim.id, type=claim.type, site=claim.site, geography=claim.geography,
        period=claim.period, site_consumed_mwh=float(claim.site_consumed_mwh), instrument_mwh=float(claim.site_mwh),
        claimed_mwh=float(claim.claimed_mwh), output_share=float(claim.output_share), file=claim.file,
        file_sha256=claim.file_sha256, product_file=str(product_file), recorded_at=now,
    ) for claim in electricity_plan.claims]


def claims_of_result(result):
    """The ledger claims of a computed result (its ``electricity.instruments``), to record once its outputs are written.

    Parameters
    ----------
    result : footprint.calc.result.FootprintResult or dict
        A result, or its ``to_dict()``.
    """
    data = result.to_dict() if hasattr(result, "to_dict") else result
    instruments = (data.get("electricity") or {}).get("instruments") or []
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return [LedgerClaim(
        product=data["product"], instrument=claim["id"], type=claim["type"], site=claim["site"],
        geography=claim["geography"], period=claim["period"], site_consumed_mwh=float(claim["site_consumed_mwh"]),
        instrument_mwh=float(claim["site_mwh"]), claimed_mwh=float(claim["claimed_mwh"]),
        output_share=float(claim["output_share"]), file=claim["file"], file_sha256=claim["file_sha256"],
        product_file=str(data.get("input_file", "")), recorded_at=now,
    ) for claim in instruments]


def check_claims(claims, *, product_id, recorded=None):
    """Check a product's claims against the other products' claims in the ledger.

    Parameters
    ----------
    claims : list of LedgerClaim
        The product's claims (:func:`claims_of`).
    product_id : str
        Claims of this product in the ledger are its own earlier ones: they are replaced,
        never counted against it.
    recorded : list of LedgerClaim, optional
        The ledger's claims; read from the ledger by default.

    Returns
    -------
    dict
        (instrument id, site) -> {other product: MWh it claims}.

    Raises
    ------
    InputError
        An instrument claimed above its MWh, two sizes given to one instrument, or a site
        whose instruments exceed its consumption; naming the site, the instrument and the
        other product(s).
    """
    if recorded is None:
        recorded = list_claims()
    # Another product's claim read from one of this product's site files, as it was before the file
    # changed, is out of date: the file as it is now allocates the site's instruments to every product
    # it lists, so that claim is left out until its product is computed again.
    current = {claim.file: claim.file_sha256 for claim in claims}
    others = [claim for claim in recorded if claim.product != product_id
              and not (claim.file in current and claim.file_sha256 != current[claim.file])]
    if not claims or not others:
        return {}
    path = ledger_path()
    hint = (f"the claims ledger {path} holds each product's claims as of its last calculation; recompute a product "
            "whose site file changed, or remove a stale product's claims with 'footprint claims --clear --product ID'")
    by_instrument = {}
    for claim in others:
        by_instrument.setdefault(claim.instrument_key, []).append(claim)
    shared = {}
    for claim in claims:
        where = f"{claim.file}: site {claim.site!r}: instrument {claim.instrument}"
        theirs = by_instrument.get(claim.instrument_key, [])
        for other in theirs:
            if abs(other.instrument_mwh - claim.instrument_mwh) > TOLERANCE * max(other.instrument_mwh, claim.instrument_mwh):
                raise InputError(f"{where}: {claim.instrument_mwh:,.6g} MWh here, but product {other.product!r} claims it from "
                                 f"{other.file} as {other.instrument_mwh:,.6g} MWh; one instrument has one size ({hint})")
        total = claim.claimed_mwh + sum(other.claimed_mwh for other in theirs)
        if total > claim.instrument_mwh * (1 + TOLERANCE):
            listed = ", ".join(f"{other.product!r} {other.claimed_mwh:,.0f} MWh ({other.file})" for other in theirs)
            raise InputError(f"{where}: product {product_id!r} claims {claim.claimed_mwh:,.0f} MWh and other products "
                             f"already claim {total - claim.claimed_mwh:,.0f} MWh ({listed}): {total:,.0f} MWh in all, more "
                             f"than its {claim.instrument_mwh:,.0f} MWh; an instrument is claimed once ({hint})")
        if theirs:
            shared[(claim.instrument, claim.site)] = {other.product: other.claimed_mwh for other in theirs}
    _check_sites(claims, others, product_id, hint)
    return shared


def _check_sites(claims, others, product_id, hint):
    """A site's instruments, all products' site files together, within its consumption."""
    mine = {}
    for claim in claims:
        mine.setdefault(claim.site_key, {})[claim.instrument_key] = claim
    for site_key, instruments in mine.items():
        first = next(iter(instruments.values()))
        theirs = [claim for claim in others if claim.site_key == site_key]
        for other in theirs:
            if abs(other.site_consumed_mwh - first.site_consumed_mwh) > TOLERANCE * max(other.site_consumed_mwh, first.site_consumed_mwh):
                raise InputError(f"{first.file}: site {first.site!r}: electricity_consumed {first.site_consumed_mwh:,.0f} MWh, but "
                                 f"product {other.product!r} computed the same site and period from {other.file} with "
                                 f"{other.site_consumed_mwh:,.0f} MWh; the files of one site must agree ({hint})")
        pooled = dict(instruments)
        added = []
        for other in theirs:
            if other.instrument_key not in pooled:
                pooled[other.instrument_key] = other
                added.append(other)
        total = sum(claim.instrument_mwh for claim in pooled.values())
        if total > first.site_consumed_mwh * (1 + TOLERANCE):
            listed = ", ".join(f"{other.instrument} {other.instrument_mwh:,.0f} MWh (product {other.product!r}, {other.file})"
                               for other in added)
            raise InputError(f"{first.file}: site {first.site!r}: the instruments of product {product_id!r} and those other "
                             f"products claim at this site ({listed}) come to {total:,.0f} MWh, more than the "
                             f"{first.site_consumed_mwh:,.0f} MWh the site consumed ({hint})")


def record_claims(claims, *, product_id):
    """Check a product's claims and make them the product's claims in the ledger.

    The product's earlier claims are replaced, in one step under the ledger's lock.

    Returns
    -------
    dict
        As :func:`check_claims`: other products' claims on the same instruments.

    Raises
    ------
    InputError
        As :func:`check_claims`; the ledger is then left unchanged.
    """
    with _lock():
        recorded = _read()
        shared = check_claims(claims, product_id=product_id, recorded=recorded)
        kept = [claim for claim in recorded if claim.product != product_id]
        mine_before = [claim for claim in recorded if claim.product == product_id]
        if claims or mine_before:
            _write(kept + list(claims))
    return shared
