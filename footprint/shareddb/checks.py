"""The checks an entry of the shared database passes: its schema, its unit, its plausibility against the bundled defaults.

The same kinds of checks as the bundled data's (:mod:`footprint.bundle.read` reads every
row with its unit and quality; :mod:`footprint.model.checks` holds a value to its bundled
default):

- schema: the fields a kind needs, each of the right type; ids, texts without control
  characters and of bounded length; ISO dates, the first valid day not after the last;
  pedigree scores (five integers 1..5, as ``inventories/`` writes them);
- unit: the value is "number unit" read with the library's one pint registry, in kg CO2-eq
  per a unit of the kind's dimension (``kg CO2-eq/kWh`` for electricity, ``kg CO2-eq/kg``
  for a material; a declaration per kg, m2, piece, W, kWp or kWh);
- plausibility: a value above zero and finite; an electricity factor's geography known to
  the bundle; the value against the cumulative footprint of the bundled dataset it stands
  beside (``dataset``, or the grid dataset of its geography for electricity): more than
  :data:`footprint.model.checks.OUTLIER_FACTOR` times above or below is a warning, more than
  :data:`footprint.model.checks.OUTLIER_ERROR_FACTOR` times an error (a unit slip).

Errors stop a submission (schema, unit) or a validation (plausibility); warnings are shown
to the reviewer, who decides.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass

from footprint.errors import UnitError, show
from footprint.model.checks import OUTLIER_ERROR_FACTOR, OUTLIER_FACTOR
from footprint.units import Quantity, format_quantity, read_quantity, ureg

#: The kinds of entry, and the unit of each as kg CO2-eq per what (the denominators accepted).
KINDS = {
    "certified_footprint": ("piece", "kg", "m**2", "W", "kWh"),
    "supplier_declaration": ("kg", "m**2", "piece", "W", "kWh"),
    "material_factor": ("kg", "m**2", "m**3", "piece"),
    "electricity_mix": ("kWh",),
    "grid_factor": ("kWh",),
}
#: Kinds whose value is an electricity factor, held to the bundled grid of their geography.
ELECTRICITY_KINDS = ("electricity_mix", "grid_factor")
#: What an electricity factor counts (``basis``): life-cycle greenhouse gases (CO2-eq, the fuels'
#: upstream and CH4, N2O included), or the CO2 of generation only (China's MEE/NBS factors).
#: The bundled grid of the same basis is what it is held to, and what it may replace in a product.
ELECTRICITY_ENTRY_BASES = {"life-cycle": "life-cycle CO2-eq", "co2-only": "CO2 of generation only"}
#: An entry id: a letter or digit first, then letters, digits, ``.``, ``_``, ``-``; at most 80.
ENTRY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
#: Longest title, source and note [characters].
MAX_TEXT = {"title": 400, "source": 2000, "note": 2000, "geography": 40, "dataset": 120, "site": 200}
#: Fields an entry may have; anything else is refused (a typo would otherwise be silently dropped).
FIELDS = ("id", "kind", "title", "value", "dataset", "geography", "site", "source", "valid_from", "valid_until",
          "quality", "note", "payload", "certificate", "basis")
REQUIRED = ("id", "kind", "title", "value", "source", "valid_from", "valid_until")
#: How "kg CO2-eq" is written by people; read as the registry's kg_CO2_eq.
_CO2_WORDS = re.compile(r"\b(k?g|t)\s*CO2[-_ ]?(?:eq|e)\b\.?", re.IGNORECASE)


class EntryError(UnitError):
    """An entry of the shared database breaks a schema or unit rule; the message names the field."""


@dataclass
class Finding:
    """One result of a check: ``error`` or ``warning``, which check, and the message."""

    severity: str
    check: str
    message: str

    def to_dict(self):
        return asdict(self)


def normalise_unit_text(text: str) -> str:
    """``0.55 kg CO2-eq/kWh`` and ``0.55 kgCO2e/kWh`` as the unit registry writes them (``kg_CO2_eq``)."""
    return _CO2_WORDS.sub(lambda match: {"kg": "kg_CO2_eq", "g": "g_CO2_eq", "t": "t_CO2_eq"}[match.group(1).lower()], text)


def _text(data, key, where, *, required):
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise EntryError(f"{where}.{key}: missing; expected text")
        return None
    if not isinstance(value, str):
        raise EntryError(f"{where}.{key}: got {show(value)} ({type(value).__name__}); expected text")
    value = value.strip()
    if not value.isprintable():
        raise EntryError(f"{where}.{key}: got {show(value)}, control characters; expected plain text")
    if len(value) > MAX_TEXT.get(key, 200):
        raise EntryError(f"{where}.{key}: {len(value)} characters; expected at most {MAX_TEXT.get(key, 200)}")
    return value


def _date(data, key, where):
    value = data.get(key)
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        raise EntryError(f"{where}.{key}: got {show(value)}; expected a date YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise EntryError(f"{where}.{key}: got {show(value)}; expected a date YYYY-MM-DD") from None


def quantity_of(value, kind, *, where="value") -> Quantity:
    """The value of an entry of ``kind`` as a pint quantity of kg CO2-eq per one of the kind's units (in the units given).

    Raises
    ------
    EntryError
        Not "number unit", an unknown unit, or a dimension other than the kind's.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise EntryError(f"{where}: got {show(value)}; expected 'number unit' such as '0.58 kg CO2-eq/kWh'")
    try:
        quantity = read_quantity(normalise_unit_text(value), where=where, expected="kg CO2-eq per a unit")
    except UnitError as exc:
        raise EntryError(str(exc)) from None
    for per in KINDS[kind]:
        target = ureg.Unit(f"kg_CO2_eq/{per}")
        if quantity.dimensionality == target.dimensionality:
            return quantity  # in the units given (kg CO2-eq/kWp stays per kWp): only the dimension is the kind's
    expected = " or ".join(f"kg CO2-eq/{per.replace('**', '')}" for per in KINDS[kind])
    raise EntryError(f"{where}: got {show(value)}; a {kind.replace('_', ' ')} is in {expected}")


def check_schema(data, *, where="entry") -> dict:
    """Check an entry's fields and return them read: dates as dates, the value as a quantity.

    Raises
    ------
    EntryError
        The first field that breaks a rule, named.
    """
    if not isinstance(data, dict):
        raise EntryError(f"{where}: got {show(data)}; expected a mapping of the entry's fields")
    unknown = [key for key in data if key not in FIELDS]
    if unknown:
        raise EntryError(f"{where}: unknown field {show(str(unknown[0]))}; expected only {', '.join(FIELDS)}")
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            raise EntryError(f"{where}.{key}: missing; an entry needs {', '.join(REQUIRED)}")
    entry_id = _text(data, "id", where, required=True)
    if not ENTRY_ID.match(entry_id):
        raise EntryError(f"{where}.id: got {show(entry_id)}; expected letters, digits, '.', '_' or '-' (at most 80), "
                         "a letter or digit first")
    kind = _text(data, "kind", where, required=True)
    if kind not in KINDS:
        raise EntryError(f"{where}.kind: got {show(kind)}; expected one of {', '.join(KINDS)}")
    read = {"id": entry_id, "kind": kind}
    for key in ("title", "source"):
        read[key] = _text(data, key, where, required=True)
    for key in ("dataset", "geography", "site", "note", "certificate", "basis"):
        read[key] = _text(data, key, where, required=False)
    if read["basis"] is not None and (kind not in ELECTRICITY_KINDS or read["basis"] not in ELECTRICITY_ENTRY_BASES):
        expected = f"one of {', '.join(ELECTRICITY_ENTRY_BASES)}" if kind in ELECTRICITY_KINDS else "no basis (only an electricity factor has one)"
        raise EntryError(f"{where}.basis: got {show(read['basis'])}; expected {expected}")
    read["quantity"] = quantity_of(data["value"], kind, where=f"{where}.value")
    read["valid_from"] = _date(data, "valid_from", where)
    read["valid_until"] = _date(data, "valid_until", where)
    if read["valid_until"] < read["valid_from"]:
        raise EntryError(f"{where}.valid_until: {read['valid_until']} is before valid_from {read['valid_from']}")
    quality = data.get("quality")
    if quality is not None:
        text = quality if isinstance(quality, str) else ""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 5 or not all(part in "12345" and part for part in parts):
            raise EntryError(f"{where}.quality: got {show(quality)}; expected five pedigree scores 1..5 such as '2,2,1,1,2' "
                             "(reliability, completeness, temporal, geographical, technological)")
        quality = ",".join(parts)
    read["quality"] = quality
    payload = data.get("payload")
    if payload is not None and not isinstance(payload, dict):
        raise EntryError(f"{where}.payload: got {show(payload)}; expected a mapping (a PACT ProductFootprint, for example)")
    read["payload"] = payload
    if payload is not None and "pcf" in payload:
        _check_pact(payload, read["quantity"], where=f"{where}.payload", certified=kind == "certified_footprint")
    if kind in ELECTRICITY_KINDS and not read["geography"]:
        raise EntryError(f"{where}.geography: missing; an electricity factor needs the geography it holds for (CN-JS, CN)")
    if kind == "certified_footprint" and not read["certificate"]:
        raise EntryError(f"{where}.certificate: missing; a certified footprint names its certificate")
    return read


#: PACT 2 declared units and the unit of the entry's value they stand for.
PACT_UNITS = {"kilogram": "kg", "square meter": "m**2", "kilowatt hour": "kWh", "cubic meter": "m**3", "liter": "l",
              "megajoule": "MJ", "ton kilometer": "t*km"}


def _check_pact(payload, quantity, *, where, certified=False):
    """A PACT ProductFootprint payload must say what the entry says: its pCfExcludingBiogenic per its declared unit.

    A certified footprint is declared per the scheme's unit (kWp), its PACT export per square metre: the two are
    not compared by unit; submitting and validating hold the payload to the certificate's dossier instead
    (:func:`footprint.shareddb.certified.certified_findings`).
    """
    pcf = payload["pcf"]
    if not isinstance(pcf, dict):
        raise EntryError(f"{where}.pcf: got {show(pcf)}; expected a PACT CarbonFootprint object")
    unit = pcf.get("declaredUnit")
    if unit not in PACT_UNITS:
        raise EntryError(f"{where}.pcf.declaredUnit: got {show(unit)}; expected one of {', '.join(PACT_UNITS)}")
    declared = pcf.get("pCfExcludingBiogenic")
    amount = pcf.get("unitaryProductAmount", "1")
    try:
        value = float(str(declared)) / float(str(amount))
    except (TypeError, ValueError, ZeroDivisionError):
        raise EntryError(f"{where}.pcf.pCfExcludingBiogenic: got {show(declared)} per {show(amount)}; expected decimal "
                         "strings") from None
    per = ureg.Unit(f"kg_CO2_eq/({PACT_UNITS[unit]})")
    if certified and quantity.dimensionality != per.dimensionality:
        return
    if quantity.dimensionality != per.dimensionality:
        raise EntryError(f"{where}.pcf.declaredUnit: {unit}, but the entry's value is {format_quantity(quantity)}")
    mine = float(quantity.to(per).magnitude)
    if abs(mine - value) > 1e-9 * max(abs(mine), abs(value)):
        raise EntryError(f"{where}.pcf.pCfExcludingBiogenic: {value:g} kg CO2-eq per {unit}, but the entry's value is "
                         f"{format_quantity(quantity)}; expected the same")


def check_plausible(read, *, bundle=None, on: _dt.date | None = None) -> list[Finding]:
    """The plausibility findings of an entry read by :func:`check_schema` (no exception: the reviewer sees them all)."""
    from footprint.bundle import read_bundle

    bundle = bundle or read_bundle()
    findings = []
    quantity = read["quantity"]
    magnitude = float(quantity.magnitude)
    if not magnitude > 0 or magnitude != magnitude or magnitude == float("inf"):
        findings.append(Finding("error", "bounds", f"value {format_quantity(quantity)}: expected a finite value above zero"))
        return findings
    if on is not None and read["valid_until"] < on:
        findings.append(Finding("error", "validity", f"valid until {read['valid_until']}, before {on}: already expired"))
    geography = read.get("geography")
    if read["kind"] in ELECTRICITY_KINDS and geography not in bundle.geographies:
        findings.append(Finding("error", "geography", f"geography {show(geography)} is not in the bundled geographies "
                                                      "(geographies.csv); expected an id such as CN-JS or CN"))
        return findings
    dataset = None
    if read.get("dataset"):
        dataset = bundle.datasets.get(read["dataset"])
        if dataset is None:
            findings.append(Finding("error", "dataset", f"dataset {show(read['dataset'])} is not a bundled dataset "
                                                        "(see 'footprint datasets')"))
            return findings
    elif read["kind"] in ELECTRICITY_KINDS:
        dataset = bundled_grid(bundle, geography, read.get("basis"))
    if dataset is None and read["kind"] == "certified_footprint":
        # held to its certificate instead (certified.certified_findings): no bundled data to name, nothing to warn of
        findings.append(Finding("info", "default", "compared with its certificate, not with bundled data"))
        return findings
    if dataset is None:
        findings.append(Finding("warning", "default", "no bundled dataset to compare with (name one in 'dataset'; a PV "
                                                      "stage has none: compare with 'footprint calc' of the stage)"))
        return findings
    findings.extend(_against_default(quantity, dataset, bundle))
    return findings


def bundled_grid(bundle, geography, basis):
    """The bundled grid dataset an electricity entry stands beside: of its basis when it gives one, else the default grid."""
    if basis == "life-cycle":
        return bundle.grid_for(geography, "life-cycle")
    return bundle.electricity_for(geography)


def bundled_factor(dataset, bundle, gwp="ar6") -> Quantity:
    """The cumulative footprint of a bundled dataset per its unit (the solved background of setup)."""
    from footprint.brightway.background import load_background

    background = load_background(bundle, gwp)
    value = float(background.cumulative("total")[background.index[dataset.id]])
    return Quantity(value, f"kg_CO2_eq/({dataset.unit})")


def _against_default(quantity, dataset, bundle):
    default = bundled_factor(dataset, bundle)
    if quantity.dimensionality != default.dimensionality:
        return [Finding("error", "unit", f"value {format_quantity(quantity)} is per another unit than the bundled dataset "
                                         f"{dataset.id} ({dataset.unit}); expected kg CO2-eq per {dataset.unit}")]
    ratio = float((quantity / default).to("").magnitude) if default.magnitude > 0 else float("inf")
    if ratio == float("inf"):
        return [Finding("warning", "default", f"the bundled dataset {dataset.id} has no footprint to compare with")]
    factor = max(ratio, 1 / ratio)
    said = (f"value {format_quantity(quantity)} is {ratio:.3g} times the bundled {dataset.id} "
            f"({format_quantity(default.to(quantity.units))})")
    if factor > OUTLIER_ERROR_FACTOR:
        return [Finding("error", "outlier", f"{said}: more than {OUTLIER_ERROR_FACTOR:g} times off, a unit slip?")]
    if factor > OUTLIER_FACTOR:
        return [Finding("warning", "outlier", f"{said}: more than {OUTLIER_FACTOR:g} times off; check the source")]
    return [Finding("info", "default", f"{said}: within {OUTLIER_FACTOR:g} times")]  # not an outlier: said so
