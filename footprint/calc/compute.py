"""Compute one product's footprint: read, check, build the system, evaluate, assemble the result.

:func:`compute` reads a product file, builds its product system
(:mod:`footprint.calc.system`: chain, suppliers' declarations, location- and market-based
electricity, stages after the gate), evaluates it on the background solved once
(:mod:`footprint.engine`) and returns plain data (:class:`~footprint.calc.result.FootprintResult`).

On request (``verify=True``), the product's foreground is also written into Brightway (one
database per product study, the record of the inventory) and solved there with bw2calc
(:mod:`footprint.brightway.check`); the two totals must agree to 1e-9.
"""

from __future__ import annotations

import dataclasses
import datetime
import datetime as _dt
import os
from typing import TYPE_CHECKING, Sequence

import numpy as np

from footprint.brightway.background import load_background
from footprint.brightway.project import brightway_versions, check_setup, require_setup
from footprint.bundle.read import read_bundle
from footprint.calc.result import FootprintResult, build_result
from footprint.calc.system import build_system
from footprint.claims import check_claims, claims_of
from footprint.claims import record_claims as record_product_claims
from footprint.collect import read_any
from footprint.engine import evaluate
from footprint.errors import InputError
from footprint.fileio import parse_date
from footprint.model.checks import require_plausible
from footprint.model.spec import ProductSpec, product_from_data
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, ELECTRICITY_BASES, GWP_SETS, choose

if TYPE_CHECKING:
    import pandas

#: Relative agreement required between the engine and bw2calc (:mod:`footprint.brightway.check`).
AGREEMENT = 1e-9


def compute(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    per: str | Sequence[str] = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    verify: bool | None = None,
    brightway: bool = False,
    record_claims: bool = False,
    electricity_basis: str | None = None,
) -> FootprintResult | dict[str, FootprintResult]:
    """Compute the carbon footprint of a PV product.

    Reading and computing have no side effect unless asked: nothing is written to the
    Brightway project (``brightway``, ``verify``) nor to the claims ledger (``record_claims``).

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        A product YAML file, an Excel data workbook (.xlsx), the product file's content as a
        dict, or a product already read (:func:`footprint.read_product`).
    per : str or sequence of str
        Declared unit (:data:`footprint.vocab.DECLARED_UNITS`, any case): ``module``, ``m2``,
        ``W``/``Wp``, ``kWp``, ``kWh`` (over the module's life, needs the ``use:`` block),
        ``cell``, ``wafer``, ``kg-polysilicon``, ``kg-ingot``. Several units give one result each.
    gwp : str
        ``ar6`` (IPCC 2021 GWP100, default) or ``ar5`` (IPCC 2013 GWP100).
    boundary : str
        ``cradle-to-gate`` (default) or ``cradle-to-grave`` (needs the ``downstream:`` block).
    as_of : datetime.date or str, optional
        The date suppliers' declarations must be valid on (YYYY-MM-DD); today by default.
    verify : bool, optional
        Also write the foreground into Brightway, solve it with bw2calc and require agreement
        to 1e-9 (:mod:`footprint.brightway.check`). Default: the environment variable
        ``FOOTPRINT_VERIFY`` (``1`` turns it on; the test suite does), else off.
    brightway : bool
        Write the product's foreground into the Brightway project (database
        ``footprint-product-<id>-<hash>``), for Activity Browser and plain bw2calc.
    record_claims : bool
        Record the product's electricity-instrument claims in the data directory's claims
        ledger, replacing its earlier ones (``footprint calc`` does); by default they are only
        checked against the other products' claims (:mod:`footprint.claims`).
    electricity_basis : str, optional
        The basis of the grid-electricity factors (:data:`footprint.vocab.ELECTRICITY_BASES`,
        any case): ``life-cycle`` or ``official``. Replaces the product file's
        ``product.electricity_basis``; a stage's own ``electricity_basis`` still applies to it.
        Default: the product file's.

    Returns
    -------
    FootprintResult or dict of str to FootprintResult
        Values in kg CO2-eq per declared unit; one result per unit when ``per`` is a sequence.

    Raises
    ------
    footprint.errors.FootprintError
        Bad input (named with file and field), or the data directory not set up.

    Examples
    --------
    >>> import footprint
    >>> result = footprint.compute("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp")  # doctest: +SKIP
    >>> round(result.total.value, 1), result.total.unit  # doctest: +SKIP
    (423.9, 'kg CO2-eq/kWp')
    """
    units = [per] if isinstance(per, str) else list(per)
    if not units:
        raise InputError("per: got no declared unit; expected one or more of " + ", ".join(DECLARED_UNITS))
    units = [choose(unit, DECLARED_UNITS, what="per") for unit in units]
    gwp = choose(gwp, GWP_SETS, what="gwp")
    boundary = choose(boundary, BOUNDARIES, what="boundary")
    as_of = check_options(per=units[0], gwp=gwp, boundary=boundary, as_of=as_of)
    verify = os.environ.get("FOOTPRINT_VERIFY", "") not in ("", "0") if verify is None else verify
    if electricity_basis is not None:
        electricity_basis = choose(electricity_basis, ELECTRICITY_BASES, what="electricity_basis")
    spec = read_product(product)
    if electricity_basis is not None:
        spec = with_electricity_basis(spec, electricity_basis)
    check_finite(spec)
    bundle = read_bundle()
    check_setup(bundle)
    background = load_background(bundle, gwp)
    results = {}
    for unit in units:
        results[unit] = _compute_one(spec, bundle, background, per=unit, gwp=gwp, boundary=boundary, as_of=as_of,
                                     verify=verify, brightway=brightway, record_claims=record_claims and unit == units[-1])
        if electricity_basis is not None:
            results[unit].notes.append(f"electricity basis {spec.electricity_basis}: chosen by the caller (electricity_basis), "
                                       "in place of the product file's product.electricity_basis")
    return results[units[0]] if isinstance(per, str) else results


def _compute_one(spec, bundle, background, *, per, gwp, boundary, as_of, verify, brightway, record_claims):
    system = build_system(spec, bundle, per=per, boundary=boundary, gwp=gwp, as_of=as_of)
    check_amounts(system)
    location = evaluate(system.location, background, demand=system.demand)
    market = evaluate(system.market, background, demand=system.demand)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [float(np.ravel(location.score())[0]), float(np.ravel(market.score())[0])]
    if not all(np.isfinite(totals)):
        raise InputError(f"{spec.source}: the footprint is {totals[0]!r} kg CO2-eq per reference flow, not a finite number: "
                         "the product file's values overflow when multiplied along the chain; check its largest values")
    cross_check = "not run"
    if verify or brightway:
        from footprint.brightway.check import check_with_brightway, write_product

        bd = require_setup(bundle)
        if verify:
            check_with_brightway(bd, system, bundle, gwp, {"location": location, "market": market})
            cross_check = f"bw2calc agrees to {AGREEMENT:g} (location- and market-based)"
        else:
            write_product(bd, system, bundle)
    claims = claims_of(system.plan, product_id=spec.id, product_file=spec.source)
    if record_claims:
        shared = record_product_claims(claims, product_id=spec.id)
    else:
        shared = check_claims(claims, product_id=spec.id)
    return build_result(system, bundle, background, location, market, gwp=gwp, as_of=as_of, brightway=brightway_versions(),
                        shared=shared, cross_check=cross_check)


def datasets(
    *,
    stage: str | None = None,
    geography: str | None = None,
    search: str | None = None,
    kind: str | None = None,
    gwp: str = "ar6",
) -> pandas.DataFrame:
    """The bundled datasets and default parameters as a pandas DataFrame, with each dataset's factor.

    What ``footprint datasets`` lists. The ``factor`` column is read from the background
    setup solved and saved (nothing is solved here); it is empty before ``footprint setup``
    and for default parameters, which are not datasets.

    Parameters
    ----------
    stage : str, optional
        Only this stage's defaults and the materials they use (:data:`footprint.vocab.STAGES`).
    geography : str, optional
        Only datasets of this place or within it (CN, CN-JS, CN-ECG, VN, GLO ...).
    search : str, optional
        Only datasets whose id, name, source, locator or note contain every word.
    kind : str, optional
        ``background`` or ``default``; both if not given.
    gwp : str
        The GWP100 set of the factors: ``ar6`` (default) or ``ar5``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``: ``kind``, ``name``, ``unit``, ``geography``, ``year``, ``scope``,
        ``category``, ``quality`` (pedigree scores), ``sources`` (joined with "; "),
        ``locator``, ``note``, ``stages``, ``factor`` [kg CO2-eq per unit of the dataset].
        ``attrs``: ``data_version``, ``gwp`` (the method set's name) and ``factor_unit``.

    Raises
    ------
    footprint.errors.InputError
        An unknown stage, geography, kind or GWP set.

    Examples
    --------
    >>> import footprint
    >>> footprint.datasets(geography="CN-JS")[["name", "unit", "factor"]]  # doctest: +SKIP
    """
    from footprint.bundle.catalogue import datasets_frame
    from footprint.engine import dataset_factors

    gwp = choose(gwp, GWP_SETS, what="gwp")
    bundle = read_bundle()
    frame = datasets_frame(stage=stage, geography=geography, search=search, kind=kind, bundle=bundle,
                           factors=dataset_factors(bundle, gwp))
    frame.attrs["gwp"] = GWP_SETS[gwp]
    frame.attrs["factor_unit"] = "kg CO2-eq per unit"
    return frame


def apply_electricity_basis(spec: ProductSpec, basis: str | None) -> ProductSpec:
    """``spec`` with ``product.electricity_basis`` replaced by ``basis`` (:data:`footprint.vocab.ELECTRICITY_BASES`,
    any case, checked); ``spec`` itself when ``basis`` is None. The ``electricity_basis=`` of label, report, batch and
    uncertainty functions."""
    if basis is None:
        return spec
    return with_electricity_basis(spec, choose(basis, ELECTRICITY_BASES, what="electricity_basis"))


def with_electricity_basis(spec, basis):
    """The product with ``product.electricity_basis`` replaced by ``basis`` (a key of ELECTRICITY_BASES)."""
    data = dict(spec.data)
    data["product"] = {**(data.get("product") or {}), "electricity_basis": basis}
    return dataclasses.replace(spec, electricity_basis=basis, data=data)


def read_product(product: str | os.PathLike | dict | ProductSpec) -> ProductSpec:
    """Read and check a product: a file (YAML or Excel workbook), a dict (the file's content) or a ProductSpec.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        A product YAML file, an Excel data workbook (``.xlsx``), the product file's content as
        a dict (paths in it are relative to the working directory), or a product already read.

    Returns
    -------
    ProductSpec
        The checked product: its stages with their quantities (pint), the ``use:`` and
        ``downstream:`` blocks, the file's sha256.

    Raises
    ------
    InputError
        The product cannot be read, or a value fails a plausibility check
        (:mod:`footprint.model.checks`); named with its file and field.

    Warns
    -----
    footprint.errors.ProductWarning
        A value of a product file or dict that looks wrong (an outlier against the bundled
        default, an unusual efficiency or cell-to-module ratio);
        :class:`~footprint.errors.WorkbookWarning` for a workbook.

    Notes
    -----
    A file or dict is checked as it is read; a ProductSpec is returned as it is (its reader
    checked it, or chose not to).

    Examples
    --------
    >>> import footprint
    >>> product = footprint.read_product("examples/perc-glass-backsheet-jiangsu.yaml")  # doctest: +SKIP
    >>> product.rated_power  # doctest: +SKIP
    <Quantity(550.0, 'watt')>
    """
    if isinstance(product, ProductSpec):
        return product
    if isinstance(product, dict):
        spec = product_from_data(product, source="<dict>", sha256=_dict_sha256(product))
        require_plausible(spec, read_bundle())
        return spec
    if isinstance(product, (str, os.PathLike)):
        return read_any(product)
    raise InputError(f"product: got a {type(product).__name__}; expected a product file path, a dict or a ProductSpec")


def _dict_sha256(data):
    import hashlib
    import json

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    choose(per, DECLARED_UNITS, what="per")
    choose(gwp, GWP_SETS, what="gwp")
    choose(boundary, BOUNDARIES, what="boundary")
    return parse_date(as_of, where="as_of", today=_dt.date.today())
