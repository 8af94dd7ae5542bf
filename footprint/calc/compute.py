"""Compute one product's footprint: read, check, build the system, evaluate, assemble the result.

:func:`compute` reads a product file, builds its product system
(:mod:`footprint.calc.system`: chain, suppliers' declarations, location- and market-based
electricity, stages after the gate), evaluates it on the background solved once
(:mod:`footprint.engine`) and returns plain data (:class:`~footprint.calc.result.FootprintResult`).

On request (``verify=True``), the product's foreground is also written into Brightway (one
database per product study, the record of the inventory) and solved there with bw2calc
(:mod:`footprint.brightway.check`); the two totals must agree to 1e-9.
"""

import datetime as _dt

import numpy as np

from footprint.brightway.background import load_background
from footprint.brightway.check import check_with_brightway
from footprint.brightway.project import check_setup, require_setup
from footprint.bundle.read import read_bundle
from footprint.calc.result import build_result
from footprint.calc.system import build_system
from footprint.claims import check_claims, claims_of
from footprint.claims import record_claims as record_product_claims
from footprint.collect import read_any
from footprint.engine import evaluate
from footprint.errors import InputError
from footprint.fileio import parse_date
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, GWP_SETS


def compute(product, *, per="module", gwp="ar6", boundary="cradle-to-gate", as_of=None, check=True, record_claims=True):
    """Compute the carbon footprint of a PV product.

    Parameters
    ----------
    product : str or Path or footprint.model.ProductSpec
        A product YAML file, an Excel data workbook (.xlsx), or an already read spec.
    per : str
        Declared unit: ``module``, ``m2``, ``W``/``Wp``, ``kWp``, ``kWh`` (over the module's
        life, needs the ``use:`` block), ``cell``, ``wafer``, ``kg-polysilicon``, ``kg-ingot``.
    gwp : str
        ``ar6`` (IPCC 2021 GWP100, default) or ``ar5`` (IPCC 2013 GWP100).
    boundary : str
        ``cradle-to-gate`` (default) or ``cradle-to-grave`` (needs the ``downstream:`` block).
    as_of : datetime.date or str, optional
        The date suppliers' declarations must be valid on (YYYY-MM-DD); today by default.
    check : bool
        Also solve the written foreground with bw2calc and require agreement (default).
    record_claims : bool
        Record the product's electricity-instrument claims in the data directory's claims
        ledger, replacing its earlier ones (default); False only checks them against the
        other products' claims (:mod:`footprint.claims`).

    Returns
    -------
    FootprintResult
        Values in kg CO2-eq per declared unit.

    Raises
    ------
    footprint.errors.FootprintError
        Bad input (named with file and field), or the data directory not set up.
    """
    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)

    spec = product if hasattr(product, "stages") else read_any(product)
    check_finite(spec)
    bundle = read_bundle()
    system = build_system(spec, bundle, per=per, boundary=boundary, gwp=gwp, as_of=as_of)
    check_amounts(system)
    check_setup(bundle)
    background = load_background(bundle, gwp)
    location = evaluate(system.location, background, demand=system.demand)
    market = evaluate(system.market, background, demand=system.demand)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [float(np.ravel(location.score())[0]), float(np.ravel(market.score())[0])]
    if not all(np.isfinite(totals)):
        raise InputError(f"{spec.source}: the footprint is {totals[0]!r} kg CO2-eq per reference flow, not a finite number: "
                         "the product file's values overflow when multiplied along the chain; check its largest values")
    brightway = ""
    if check:
        brightway = check_with_brightway(require_setup(bundle), system, bundle, gwp, {"location": location, "market": market})
    claims = claims_of(system.plan, product_id=spec.id, product_file=spec.source)
    if record_claims:
        shared = record_product_claims(claims, product_id=spec.id)
    else:
        shared = check_claims(claims, product_id=spec.id)
    return build_result(system, bundle, background, location, market, gwp=gwp, as_of=as_of, brightway=brightway, shared=shared)


def check_finite(spec):
    """Refuse a number that is not finite (inf, nan) anywhere in a product spec.

    Raises
    ------
    InputError
        Naming the product file and the field.
    """
    def check(value, path):
        if value is None:
            return
        magnitude = np.asarray(getattr(value, "magnitude", value), dtype=float)
        if not np.all(np.isfinite(magnitude)):
            shown = f"{value:~}" if hasattr(value, "units") else repr(value)
            raise InputError(f"{spec.source}: {path}: got {shown}; expected a finite number")

    check(spec.rated_power, "product.rated_power")
    check(spec.area, "product.area")
    for name, stage in spec.stages.items():
        for group, values in (("", stage.parameters), ("materials.", stage.materials), ("emissions.", stage.emissions)):
            for key, quantity in values.items():
                check(quantity, f"stages.{name}.{group}{key}")
    if spec.use is not None:
        for key in ("specific_yield", "performance_ratio", "lifetime", "degradation"):
            check(getattr(spec.use, key), f"use.{key}")
    if spec.downstream is not None:
        for name, stage in spec.downstream.stages.items():
            for key in ("electricity", "heat", "mass"):
                check(getattr(stage, key), f"downstream.{name}.{key}")
            for group, values in (("materials", stage.materials), ("emissions", stage.emissions)):
                for key, quantity in values.items():
                    check(quantity, f"downstream.{name}.{group}.{key}")
            for index, leg in enumerate(stage.legs):
                check(leg.distance, f"downstream.{name}.legs[{index}].distance")
                check(leg.emission_factor, f"downstream.{name}.legs[{index}].emission_factor")


def check_amounts(system):
    """Refuse a product system with an amount that is not finite (a computed overflow).

    Finite inputs can still give an infinite amount (1e200 kg/kg x 1e200 kg/kg); the
    message names the stage and the flow.

    Raises
    ------
    InputError
    """
    source = system.spec.source
    for processes in (system.location, system.market):
        for process in processes.values():
            for flow in process.flows:
                if not np.all(np.isfinite(np.asarray(flow.amount, dtype=float))):
                    raise InputError(f"{source}: stages.{process.stage}: the amount of {flow.label!r} computed from the product "
                                     f"file is {flow.amount!r}; expected a finite number (check that stage's values)")
    divisor = np.asarray(system.divisor, dtype=float)
    if not np.all(np.isfinite(divisor)) or not np.all(divisor > 0):
        raise InputError(f"{source}: the declared unit per reference flow ({system.per}) is {system.divisor!r}; expected a "
                         "finite number above zero (check product.rated_power, product.area and use:)")


def check_options(*, per, gwp, boundary, as_of):
    """Check the calculation options; return ``as_of`` as a date.

    Raises
    ------
    InputError
        An unknown declared unit, GWP set or boundary, or a malformed date.
    """
    if per not in DECLARED_UNITS:
        raise InputError(f"--per: got {per!r}; expected one of {', '.join(DECLARED_UNITS)}")
    if gwp not in GWP_SETS:
        raise InputError(f"--gwp: got {gwp!r}; expected one of {', '.join(GWP_SETS)}")
    if boundary not in BOUNDARIES:
        raise InputError(f"--boundary: got {boundary!r}; expected one of {', '.join(BOUNDARIES)}")
    return parse_date(as_of, where="as_of", today=_dt.date.today())




