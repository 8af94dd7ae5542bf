"""A product's uncertain figures, and its footprint for many draws of them at once.

:class:`UncertainProduct` lists every figure of a product that carries uncertainty
(:class:`Figure`): the product file's own numbers and the bundled defaults the chain took
(stage parameters, materials, direct emissions, the use phase, the stages after the gate,
a supplier's declared footprint) and every row of the bundled background datasets the
product reaches. Each has a distribution: the user's (the ``uncertainty:`` block), or a
lognormal whose median is the figure and whose sigma comes from its pedigree scores
(:mod:`footprint.bundle.quality`, :mod:`footprint.uncertainty.pedigree`).

:meth:`UncertainProduct.evaluate` computes the footprint for arrays of draws: the draws of
the foreground go into a copy of the product spec as arrays and the product system is built
by the same code as a single calculation (:func:`footprint.calc.system.build_system`, as a
batch does), so a wafer thickness changes the silicon per wafer, an efficiency the per-W
amounts; the background's draws give each reached dataset's cumulative footprint per unit,
propagated through the (acyclic) background datasets in numpy. One draw of a background row
is one value for every stage that uses its dataset: a grid factor used by two stages is one
draw, and stays correlated.

Fractions near 1 (yields, ingot utilisation, performance ratio) get their pedigree spread on
the loss (1 - value) and input ratios above 1 (kg of polysilicon per kg of ingot) on the
excess (value - 1), so that no draw makes a yield above 100 % or a mass balance below 1;
a user's own distribution is taken as given (and checked to stay in range).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from footprint.bundle.quality import exchange_kind, exchange_sigma, gas_kind, scores_of
from footprint.calc.compute import check_amounts
from footprint.calc.system import build_system
from footprint.energy_yield import YIELD_MOUNTINGS
from footprint.engine import reachable
from footprint.errors import InputError
from footprint.model.chain import resolve_materials
from footprint.model.spec import MATERIAL_NUMERATORS
from footprint.uncertainty.block import read_uncertainty_block
from footprint.uncertainty.distributions import Distribution, lognormal, parse_distribution
from footprint.uncertainty.pedigree import SOURCE_KINDS, figure_sigma, source_scores
from footprint.units import Quantity
from footprint.vocab import FRACTIONS, REFERENCE_UNITS, STAGE_PARAMETERS

#: Stage parameters that define the product's design, not a measurement: no uncertainty.
DESIGN_PARAMETERS = frozenset({"wafer_area", "cells", "cells_per_wafer"})
#: Stage parameters that are input ratios of at least 1 (kg of the upstream stage per kg).
RATIO_PARAMETERS = frozenset({"mg_silicon", "polysilicon"})
#: Use-phase fields that are fractions (their spread goes on the loss).
USE_FRACTIONS = frozenset({"performance_ratio"})
#: ``stages.cell.fluorinated_gases`` values that are shares, held at their values in a Monte Carlo.
FLUORINATED_FRACTIONS = frozenset({"nf3_abated", "nf3_emitted_fraction", "nf3_destruction"})


@dataclass
class Figure:
    """One uncertain figure of a product.

    The distribution is of ``offset + sign * value`` draws: a plain figure has offset 0 and
    sign 1; a loss-spread fraction offset 1, sign -1 (value = 1 - draw); an excess-spread
    ratio offset 1, sign 1; a negative background amount offset 0, sign -1.
    """

    path: str  # "stages.wafer.thickness", "background.<dataset>.<flow>", "use.specific_yield" ...
    label: str  # for people: "wafer: thickness"
    group: str  # stage | use | downstream | supplier | background
    stage: str  # the stage it belongs to ("" for the background)
    unit: str  # pint unit of ``static`` and of the distribution
    static: float  # the value the static calculation uses [unit]
    distribution: Distribution
    target: tuple  # where a draw goes (see UncertainProduct._inject)
    source: str  # measured | calculated | estimated | supplier (product file), default, bundled, or "distribution"
    quality: tuple = None  # pedigree scores, None for a user's distribution
    note: str = ""  # where the figure comes from
    offset: float = 0.0
    sign: float = 1.0
    kind: str = "demand"  # basic-uncertainty kind (footprint.bundle.quality.BASIC_VARIANCES)
    default: object = None  # the bundled default row (footprint.bundle.types.ProcessDefault) the figure is, if any

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws of the figure [unit]."""
        return self.offset + self.sign * self.distribution.sample(rng, size)

    def ppf(self, probability) -> np.ndarray:
        """The figure's value at a probability (0 to 1), increasing with it [unit]."""
        u = np.asarray(probability, dtype=float)
        return self.offset + self.sign * self.distribution.ppf(u if self.sign > 0 else 1.0 - u)

    def describe(self) -> str:
        """The distribution in words (of the loss or excess where it is spread there)."""
        text = self.distribution.describe()
        if self.offset and self.sign < 0:
            return f"1 - ({text})"
        if self.offset:
            return f"1 + ({text})"
        return f"-({text})" if self.sign < 0 else text

    def to_dict(self) -> dict:
        return {"path": self.path, "label": self.label, "group": self.group, "stage": self.stage, "static": self.static,
                "unit": self.unit, "distribution": self.describe(), "source": self.source,
                "quality": list(self.quality) if self.quality else None, "note": self.note}


@dataclass
class Outcome:
    """Footprints of a set of draws [kg CO2-eq per declared unit], one value per draw."""

    total: np.ndarray  # location-based
    market: np.ndarray  # market-based
    by_stage: dict = field(default_factory=dict)  # stage -> (draws,), location-based


class UncertainProduct:
    """A product's figures with their distributions, evaluated on the solved background.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.read.Bundle
    background : footprint.engine.Background
    per, boundary, gwp, as_of
        As :func:`footprint.compute`; ``as_of`` a date.
    user : footprint.uncertainty.block.UserUncertainty, optional
        The product's ``uncertainty:`` block, read; by default the product file's own.
    """

    def __init__(self, spec, bundle, background, *, per, boundary, gwp, as_of, user=None):
        self.spec = spec
        self.bundle = bundle
        self.background = background
        self.options = {"per": per, "boundary": boundary, "gwp": gwp, "as_of": as_of}
        self.user = user if user is not None else read_uncertainty_block((spec.data or {}).get("uncertainty"), source=spec.source)
        self.system = build_system(spec, bundle, **self.options)
        check_amounts(self.system)
        self.factors = background.factors["total"]
        self.figures = []
        self._foreground_figures()
        self._use_figures()
        self._downstream_figures()
        self._supplier_figures()
        self._background_figures()
        self._apply_user_entries()
        self.by_path = {figure.path: figure for figure in self.figures}

    # -- the figures ---------------------------------------------------------------------------

    def _add(self, path, label, group, stage, quantity, target, *, source, quality=None, note="", kind="demand",
             spread="plain", default=None):
        """A figure with the pedigree lognormal of its quality (skipped where the value is zero)."""
        if group == "stage":
            quantity = canonical(quantity, target, stage)
        if group != "background" and FRACTIONS.intersection({path.rsplit(".", 1)[-1]}) or spread in ("loss", "excess"):
            quantity = quantity.to("")
        unit = f"{quantity.units}"
        static = float(np.ravel(quantity.magnitude)[0])
        offset, sign, median = 0.0, 1.0, static
        if spread == "loss" and 0 < static < 1:
            offset, sign, median = 1.0, -1.0, 1.0 - static
        elif spread == "excess" and static > 1:
            offset, sign, median = 1.0, 1.0, static - 1.0
        elif spread == "negative" or static < 0:
            sign, median = -1.0, -static
        if median <= 0 or not math.isfinite(median):
            return None
        scores = tuple(quality) if quality is not None else source_scores(self.user.default_source)
        distribution = lognormal(median, figure_sigma(scores, kind), unit=unit, where=path)
        figure = Figure(path, label, group, stage, unit, static, distribution, target, source, scores, note, offset, sign, kind,
                        default)
        self.figures.append(figure)
        return figure

    def _foreground_figures(self):
        for code, process in self.system.chain.processes.items():
            stage = process.stage
            given = self.spec.stages[stage]
            for name, (_, provenance) in process.parameters.items():
                if name in DESIGN_PARAMETERS:
                    continue
                if name.startswith("fluorinated_gases."):
                    self._fluorinated_figure(stage, process, name)
                    continue
                spread = "loss" if name in FRACTIONS - {"efficiency"} else "excess" if name in RATIO_PARAMETERS else "plain"
                path = f"stages.{stage}.{name}"
                target = ("parameter", stage, name)
                if provenance.primary and name in given.parameters:
                    self._add(path, f"{stage}: {name}", "stage", stage, given.parameters[name], target, source="product file",
                              note=f"product file ({self.spec.source})", spread=spread)
                    continue
                default = self.bundle.process_default(stage, process.technology, name)
                if default is not None:
                    self._add(path, f"{stage}: {name}", "stage", stage, default.value, target, source="default",
                              quality=scores_of(default.quality), note=f"default: {default.where}", spread=spread,
                              default=default)
            for material in resolve_materials(self.spec, self.bundle, stage):
                self._material_figure(stage, process, material)
            targets = {(flow.kind, flow.target) for flow in process.flows}
            for item, quantity in given.emissions.items():
                self._add(f"stages.{stage}.emissions.{item}", f"{stage}: {item} emitted", "stage", stage, quantity,
                          ("emission", stage, item), source="product file", note=f"product file ({self.spec.source})",
                          kind=gas_kind(item))
            for default in self.bundle.processes:
                if (default.stage != stage or default.technology not in ("any", process.technology)
                        or not default.parameter.startswith("emission:")):
                    continue
                item = default.parameter.split(":", 1)[1]
                if item in given.emissions or ("gas", item) not in targets:
                    continue
                if self.bundle.process_default(stage, process.technology, default.parameter) is not default:
                    continue  # the technology's own row overrides "any"
                self._add(f"stages.{stage}.emissions.{item}", f"{stage}: {item} emitted", "stage", stage, default.value,
                          ("emission", stage, item), source="default", quality=scores_of(default.quality),
                          note=f"default: {default.where}", kind=gas_kind(item), default=default)

    def _fluorinated_figure(self, stage, process, name):
        """An amount of ``stages.cell.fluorinated_gases``: the file's NF3 used, or a Tier 1 factor.

        The shares (``nf3_abated``) and the IPCC fractions (``nf3_emitted_fraction``,
        ``nf3_destruction``) are held at their values: a pedigree lognormal, on the value or on
        1 - value, would draw shares below 0 or above 1.
        """
        leaf = name.split(".", 1)[1]
        if leaf in FLUORINATED_FRACTIONS:
            return
        path = f"stages.{stage}.{name}"
        quantity = self.spec.stages[stage].fluorinated.values.get(leaf)
        if quantity is not None:
            self._add(path, f"{stage}: {name}", "stage", stage, quantity, ("fluorinated", stage, leaf), source="product file",
                      note=f"product file ({self.spec.source})")
            return
        default = self.bundle.process_default(stage, process.technology, leaf)
        if default is not None:
            self._add(path, f"{stage}: {name}", "stage", stage, default.value, ("parameter", stage, name), source="default",
                      quality=scores_of(default.quality), note=f"default: {default.where}", default=default)

    def _material_figure(self, stage, process, material):
        """A material's amount as the chain resolved it: the product's own (by its key) or a default."""
        path = f"stages.{stage}.materials.{material.key}"
        label = f"{stage}: {material.key} amount"
        kind = self._item_kind("dataset", material.dataset) if material.dataset else "demand"
        if material.path:
            quantity = self.spec.stages[stage].materials.get(material.key)
            if hasattr(quantity, "units"):
                self._add(path, label, "stage", stage, quantity, ("material", stage, material.key), source="product file",
                          note=f"product file ({self.spec.source})", kind=kind)
            return
        default = self.bundle.process_default(stage, process.technology, f"material:{material.key}")
        if default is not None:
            self._add(path, label, "stage", stage, default.value, ("material", stage, material.key), source="default",
                      quality=scores_of(default.quality), note=f"default: {default.where}", kind=kind, default=default)

    def _item_kind(self, kind, item):
        if kind == "gas":
            return gas_kind(item)
        dataset = self.bundle.datasets.get(item)
        return "transport" if dataset is not None and (dataset.category == "transport" or "km" in dataset.unit) else "demand"

    def _use_figures(self):
        use = self.spec.use
        if self.options["per"] != "kWh" or use is None:
            return
        for name in ("specific_yield", "performance_ratio", "lifetime", "degradation"):
            value = getattr(use, name)
            if value is not None:
                self._add(f"use.{name}", f"use: {name}", "use", "use", value, ("use", name), source="product file",
                          note=f"product file ({self.spec.source})", spread="loss" if name in USE_FRACTIONS else "plain")
        if use.specific_yield is None and use.country:
            row = self.bundle.specific_yield_for(use.country, YIELD_MOUNTINGS.get(use.mounting, use.mounting))
            if row is not None:
                self._add("use.specific_yield", "use: specific_yield (country default)", "use", "use",
                          Quantity(row.value, "kWh/kWp/year"), ("yield_default",), source="default",
                          quality=scores_of(row.quality), note=f"default: {row.where}")

    def _downstream_figures(self):
        downstream = self.spec.downstream
        if self.options["boundary"] != "cradle-to-grave" or downstream is None:
            return
        for name, stage in downstream.stages.items():
            for key in ("electricity", "heat", "mass"):
                value = getattr(stage, key)
                if value is not None:
                    self._add(f"downstream.{name}.{key}", f"{name}: {key}", "downstream", name, value,
                              ("downstream", name, key), source="product file", note=f"product file ({self.spec.source})")
            for group_name, items, kind in (("materials", stage.materials, "dataset"), ("emissions", stage.emissions, "gas")):
                for item, value in items.items():
                    self._add(f"downstream.{name}.{group_name}.{item}", f"{name}: {item}", "downstream", name, value,
                              ("downstream-" + group_name, name, item), source="product file",
                              note=f"product file ({self.spec.source})", kind=self._item_kind(kind, item))
            for index, leg in enumerate(stage.legs):
                if leg.distance is not None:
                    self._add(f"downstream.{name}.legs[{index}].distance", f"{name}: {leg.label or 'leg'} distance",
                              "downstream", name, leg.distance, ("leg", name, index), source="product file",
                              note=f"product file ({self.spec.source})", kind="transport")

    def _supplier_figures(self):
        for use in self.system.suppliers:
            self._add(f"stages.{use.stage}.supplier", f"{use.stage}: supplier's declared footprint", "supplier", use.stage,
                      Quantity(1.0, ""), ("supplier", use.stage), source="supplier", quality=source_scores("supplier"),
                      note=f"{use.company or use.id}, {use.file}")

    def _background_figures(self):
        """Every row of every background dataset the product reaches (selections carry none)."""
        datasets = self.bundle.datasets
        wanted = set()
        for processes in (self.system.location, self.system.market):
            for process in processes.values():
                wanted.update(flow.target for flow in process.flows if flow.kind == "dataset")
        order = []
        seen = set()

        def visit(dataset_id):  # depth first: a dataset after every dataset it consumes
            if dataset_id in seen:
                return
            seen.add(dataset_id)
            for exchange in datasets[dataset_id].exchanges:
                if exchange.flow in datasets:
                    visit(exchange.flow)
            order.append(dataset_id)

        for dataset_id in sorted(wanted):
            visit(dataset_id)
        self.background_order = order
        self.background_rows = {}  # dataset -> [(flow, static amount, figure path or None, is gas)]
        for dataset_id in order:
            dataset = datasets[dataset_id]
            rows = []
            counts = {}
            for exchange in dataset.exchanges:
                counts[exchange.flow] = counts.get(exchange.flow, 0) + 1
                suffix = f"#{counts[exchange.flow]}" if counts[exchange.flow] > 1 else ""
                path = f"background.{dataset_id}.{exchange.flow}{suffix}"
                is_gas = exchange.flow not in datasets
                figure = None
                if exchange_sigma(dataset, exchange, self.bundle) is not None:
                    gas = self.bundle.gases.get(exchange.flow)
                    what = gas.label if gas is not None else datasets[exchange.flow].name
                    label = f"{dataset_id}: factor" if len(dataset.exchanges) == 1 else f"{dataset_id}: {exchange.flow}{suffix}"
                    unit = f"kg/({dataset.unit})" if is_gas else f"({datasets[exchange.flow].unit})/({dataset.unit})"
                    figure = self._add(path, label, "background", "", Quantity(exchange.amount, unit),
                                       ("background", dataset_id, len(rows)), source="bundled",
                                       quality=scores_of(exchange.quality), note=f"{dataset.name}: {what} ({exchange.where})",
                                       kind=exchange_kind(exchange, self.bundle))
                rows.append((exchange.flow, exchange.amount, figure.path if figure is not None else None, is_gas))
            self.background_rows[dataset_id] = rows

    def _apply_user_entries(self):
        """The ``uncertainty:`` block's entries replace the pedigree lognormal of their figures."""
        paths = {figure.path: position for position, figure in enumerate(self.figures)}
        for path, entry in self.user.figures.items():
            where = f"{self.user.where}.figures.{path}"
            if path not in paths and self._not_in_this_calculation(path):
                continue  # the use phase counts only per kWh, the stages after the gate only cradle-to-grave
            if path not in paths:
                known = ", ".join(figure.path for figure in self.figures if figure.group != "background")
                raise InputError(f"{where}: no such figure with uncertainty in this product; expected one of {known}")
            figure = self.figures[paths[path]]
            if "source" in entry:
                if figure.source not in ("product file", *SOURCE_KINDS):
                    raise InputError(f"{where}.source: this figure is a bundled {figure.source} ({figure.note}), not the "
                                     "product file's; give its quality or a distribution instead")
                scores = source_scores(entry["source"], where=f"{where}.source")
                replaced = dataclasses.replace(figure, source=entry["source"], quality=scores, distribution=lognormal(
                    figure.distribution.median, figure_sigma(scores, figure.kind), unit=figure.unit, where=where))
            elif "quality" in entry:
                scores = scores_of(str(entry["quality"]))
                source = "pedigree scores" if figure.source == "product file" else figure.source
                replaced = dataclasses.replace(figure, source=source, quality=scores, distribution=lognormal(
                    figure.distribution.median, figure_sigma(scores, figure.kind), unit=figure.unit, where=where))
            else:
                fraction = path.rsplit(".", 1)[-1] in FRACTIONS | USE_FRACTIONS
                distribution = parse_distribution(entry, figure=Quantity(figure.static, figure.unit), where=where,
                                                  fraction=fraction)
                replaced = dataclasses.replace(figure, distribution=distribution, offset=0.0, sign=1.0, source="distribution",
                                               quality=None)
            self.figures[paths[path]] = replaced
        for position, figure in enumerate(self.figures):  # the product file's figures without an entry: default source
            if figure.source == "product file":
                self.figures[position] = dataclasses.replace(figure, source=self.user.default_source)

    def _not_in_this_calculation(self, path):
        """A figure of the use phase or of the stages after the gate, when this calculation leaves them out."""
        group = path.split(".", 1)[0]
        if group == "use":
            return self.options["per"] != "kWh" and self.spec.use is not None and path.split(".")[1] in (
                "specific_yield", "performance_ratio", "lifetime", "degradation")
        if group == "downstream":
            return self.options["boundary"] != "cradle-to-grave" and self.spec.downstream is not None
        return False

    # -- draws ---------------------------------------------------------------------------------

    def generators(self, seed):
        """One numpy Generator (PCG64) per figure, from the seed and the figure's path.

        Each figure has a stream of its own: a figure's draws do not change when other figures
        are added or removed, nor with the chunk size.
        """
        return {figure.path: stream(seed, figure.path) for figure in self.figures}

    def static_values(self, size=1):
        """Every figure at its static value, ``size`` times."""
        return {figure.path: np.full(size, figure.static) for figure in self.figures}

    # -- evaluation ----------------------------------------------------------------------------

    def system_for(self, values, size):
        """The product system with the figures' values (arrays of ``size``) in place.

        Returns
        -------
        (footprint.calc.system.ProductSystem, divisor)
            The divisor is the declared units per reference flow, per draw.
        """
        spec = self._spec_with(values)
        system = build_system(spec, self._bundle_with(values), **self.options)
        suppliers = {figure.target[1]: values[figure.path] for figure in self.figures if figure.target[0] == "supplier"}
        if suppliers:
            system = dataclasses.replace(system, location=_scaled(system.location, suppliers),
                                         market=_scaled(system.market, suppliers))
        divisor = system.divisor
        default_yield = next((figure for figure in self.figures if figure.target == ("yield_default",)), None)
        if default_yield is not None:
            divisor = divisor * values[default_yield.path] / default_yield.static  # energy is proportional to the yield
        return system, np.broadcast_to(np.asarray(divisor, dtype=float), (size,))

    def dataset_scores(self, values, size):
        """Cumulative footprint of one unit of each reached background dataset [kg CO2-eq], per draw."""
        gas_index = self.background.gas_index
        scores = {}
        for dataset_id in self.background_order:
            total = np.zeros(size)
            for flow, amount, path, is_gas in self.background_rows[dataset_id]:
                value = values[path] if path is not None else amount
                if is_gas:
                    total = total + value * self.factors[gas_index[flow]]
                else:
                    total = total + value * scores[flow]
            scores[dataset_id] = total
        return scores

    def static_outcome(self):
        """The footprint with every figure at its static value: the single calculation's result."""
        values = self.static_values()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self.dataset_scores(values, 1)
            total, stages = self._score(self.system.location, self.system.demand, scores, 1)
            market = total if _same(self.system.location, self.system.market) else \
                self._score(self.system.market, self.system.demand, scores, 1)[0]
            divisor = np.broadcast_to(np.asarray(self.system.divisor, dtype=float), (1,))
            return Outcome(total / divisor, market / divisor, {stage: value / divisor for stage, value in stages.items()})

    def evaluate(self, values, size):
        """The footprint for ``size`` draws.

        Parameters
        ----------
        values : dict
            Figure path -> (size,) array of values [the figure's unit].
        size : int

        Returns
        -------
        Outcome
            [kg CO2-eq per declared unit]
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            system, divisor = self.system_for(values, size)
            scores = self.dataset_scores(values, size)
            total, stages = self._score(system.location, system.demand, scores, size)
            market = total if _same(system.location, system.market) else self._score(system.market, system.demand, scores, size)[0]
            return Outcome(total / divisor, market / divisor, {stage: value / divisor for stage, value in stages.items()})

    def _score(self, processes, demand, scores, size):
        codes = reachable(processes, demand)
        position = {code: i for i, code in enumerate(codes)}
        count = len(codes)
        matrix = np.zeros((size, count, count))
        matrix[:, np.arange(count), np.arange(count)] = 1.0
        for code in codes:
            for flow in processes[code].flows:
                if flow.kind == "stage":
                    matrix[:, position[flow.target], position[code]] -= flow.amount
        rhs = np.zeros((size, count, 1))
        for code, amount in demand.items():
            rhs[:, position[code], 0] = amount
        supply = np.linalg.solve(matrix, rhs)[:, :, 0]
        gas_index = self.background.gas_index
        by_stage = {}
        for code in codes:
            process = processes[code]
            for flow in process.flows:
                if flow.kind == "stage":
                    continue
                per_unit = scores[flow.target] if flow.kind == "dataset" else self.factors[gas_index[flow.target]]
                by_stage[process.stage] = by_stage.get(process.stage, 0.0) + supply[:, position[code]] * flow.amount * per_unit
        total = sum(by_stage.values()) if by_stage else np.zeros(size)
        return np.broadcast_to(total, (size,)), {stage: np.broadcast_to(value, (size,)) for stage, value in by_stage.items()}

    def _spec_with(self, values):
        """A copy of the spec with each foreground figure's values in place, as quantities."""
        spec = copy.copy(self.spec)
        spec.stages = {name: dataclasses.replace(stage, parameters=dict(stage.parameters), materials=dict(stage.materials),
                                                 emissions=dict(stage.emissions))
                       for name, stage in self.spec.stages.items()}
        if spec.use is not None:
            spec.use = copy.copy(spec.use)
        if spec.downstream is not None:
            spec.downstream = dataclasses.replace(spec.downstream, stages={
                name: dataclasses.replace(stage, materials=dict(stage.materials), emissions=dict(stage.emissions),
                                          legs=[copy.copy(leg) for leg in stage.legs])
                for name, stage in spec.downstream.stages.items()})
        for figure in self.figures:
            kind = figure.target[0]
            if kind in ("background", "supplier", "yield_default") or figure.default is not None:
                continue
            quantity = Quantity(np.asarray(values[figure.path], dtype=float), figure.unit)
            if kind == "parameter":
                spec.stages[figure.target[1]].parameters[figure.target[2]] = quantity
            elif kind == "material":
                spec.stages[figure.target[1]].materials[figure.target[2]] = quantity
            elif kind == "emission":
                spec.stages[figure.target[1]].emissions[figure.target[2]] = quantity
            elif kind == "use":
                setattr(spec.use, figure.target[1], quantity)
            elif kind == "downstream":
                setattr(spec.downstream.stages[figure.target[1]], figure.target[2], quantity)
            elif kind in ("downstream-materials", "downstream-emissions"):
                stage = spec.downstream.stages[figure.target[1]]
                (stage.materials if kind == "downstream-materials" else stage.emissions)[figure.target[2]] = quantity
            elif kind == "fluorinated":
                stage = spec.stages[figure.target[1]]
                drawn = {**stage.fluorinated.values, figure.target[2]: quantity}
                spec.stages[figure.target[1]] = dataclasses.replace(stage, fluorinated=dataclasses.replace(stage.fluorinated,
                                                                                                          values=drawn))
            elif kind == "leg":
                spec.downstream.stages[figure.target[1]].legs[figure.target[2]].distance = quantity
        return spec

    def _bundle_with(self, values):
        """A copy of the bundle with each drawn default's values in place of its row's value.

        A bundled default stays a default: the chain treats it as it treats the default in a
        single calculation (the ingot electricity's conversion to the chain's kg of ingot, the
        primary-data flag), which putting it into the spec as the product's own would change.
        """
        drawn = {id(figure.default): figure for figure in self.figures if figure.default is not None}
        if not drawn:
            return self.bundle
        processes = []
        for row in self.bundle.processes:
            figure = drawn.get(id(row))
            if figure is not None:
                row = dataclasses.replace(row, value=Quantity(np.asarray(values[figure.path], dtype=float), figure.unit))
            processes.append(row)
        return dataclasses.replace(self.bundle, processes=processes)

    # -- what the static result is made of -----------------------------------------------------

    def contributions(self):
        """Each foreground flow's share of the static footprint, with the scores of its data.

        Returns
        -------
        list of (str, float, tuple)
            Label, contribution [kg CO2-eq per declared unit] and pedigree scores: the worst,
            score by score, of the figure that gives the flow's amount and of the background
            dataset's rows (bundled inputs) - the inputs of a data quality rating.
        """
        values = self.static_values()
        system = self.system
        divisor = np.broadcast_to(np.asarray(system.divisor, dtype=float), (1,))
        scores = self.dataset_scores(values, 1)
        codes = reachable(system.location, system.demand)
        supply = self._supply(system.location, system.demand, codes)
        rows = []
        for code in codes:
            process = system.location[code]
            for flow in process.flows:
                if flow.kind == "stage":
                    continue
                per_unit = scores[flow.target][0] if flow.kind == "dataset" else self.factors[self.background.gas_index[flow.target]]
                value = float(supply[code] * np.ravel(flow.amount)[0] * per_unit / divisor[0])
                quality = self._flow_quality(process, flow)
                if quality is not None:
                    rows.append((f"{process.stage}: {flow.label}", value, quality))
        return rows

    def _supply(self, processes, demand, codes):
        position = {code: i for i, code in enumerate(codes)}
        matrix = np.eye(len(codes))
        for code in codes:
            for flow in processes[code].flows:
                if flow.kind == "stage":
                    matrix[position[flow.target], position[code]] -= float(np.ravel(flow.amount)[0])
        rhs = np.zeros(len(codes))
        for code, amount in demand.items():
            rhs[position[code]] = amount
        solved = np.linalg.solve(matrix, rhs)
        return {code: solved[position[code]] for code in codes}

    def _flow_quality(self, process, flow):
        stage = process.stage
        candidates = []
        if flow.kind == "dataset" and flow.target == process.electricity_dataset:
            candidates.append(f"stages.{stage}.electricity")
        candidates += [f"stages.{stage}.heat", f"stages.{stage}.materials.{flow.target}", f"stages.{stage}.emissions.{flow.target}",
                       f"downstream.{stage}.materials.{flow.target}", f"downstream.{stage}.emissions.{flow.target}",
                       f"stages.{stage}.supplier"]
        own = next((self.by_path[path].quality for path in candidates if path in self.by_path
                    and (not path.endswith(".heat") or flow.target == "heat_natural_gas")), None)
        dataset = self.bundle.datasets.get(flow.target) if flow.kind == "dataset" else None
        bundled = tuple(dataset.quality) if dataset is not None and dataset.quality else None
        if own is None and bundled is None:
            return None
        if own is None or bundled is None:
            return tuple(own or bundled)
        return tuple(max(a, b) for a, b in zip(own, bundled))


def canonical(quantity, target, stage):
    """A stage's figure in the unit the product reader gives it (what the chain expects of the product's own values).

    The reader converts an amount per reference unit, per m2 or per W to ``(numerator)/piece``,
    ``(numerator)/m**2`` or ``(numerator)/W`` (``kg`` for the kg stages), and a stage parameter
    to its unit of :data:`footprint.vocab.STAGE_PARAMETERS`; a bundled default such as
    70000 kWh/MW must be given the same way when it is put into the spec.
    """
    kind, name = target[0], target[-1]
    if kind == "parameter" and name in STAGE_PARAMETERS[stage]:
        unit = STAGE_PARAMETERS[stage][name]
        return quantity.to("" if unit == "dimensionless" else unit)
    numerators = {"material": MATERIAL_NUMERATORS, "emission": ("kg",)}.get(kind)
    if numerators is None:
        numerators = ("kWh",) if name == "electricity" else ("MJ",) if name == "heat" else ()
    reference = REFERENCE_UNITS[stage]
    denominators = (reference,) if reference == "kg" else (reference, "m**2", "W")
    for top in numerators:
        for denominator in denominators:
            unit = f"({top})/{denominator}"
            if quantity.dimensionality == Quantity(1, unit).dimensionality:
                return quantity.to(unit)
    return quantity


def stream(seed, name):
    """The Generator (PCG64) of one named stream of a seed: its SeedSequence spawn key is the
    first 8 bytes of the name's sha256, so a stream is the same on any machine and in any order."""
    key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def _scaled(processes, factors):
    """Processes with the flows of each supplier-declared stage scaled by its factor (per draw)."""
    scaled = dict(processes)
    for stage, factor in factors.items():
        if stage in scaled:
            process = scaled[stage]
            scaled[stage] = dataclasses.replace(process, flows=[dataclasses.replace(flow, amount=flow.amount * factor)
                                                                for flow in process.flows])
    return scaled


def _same(location, market):
    return location is market or (list(location) == list(market) and all(location[code] is market[code] for code in location))
