"""Cradle-to-grave: transport to site, installation, use and end of life of a module.

The product file's ``downstream:`` block gives, per module, the inputs of each stage after
the factory gate::

    downstream:
      transport:
        mass: 32 kg                 # shipped mass per module, packaging included
        legs:
          - {dataset: <tonne*km dataset id>, distance: 11000 km}
          - {emission_factor: 0.09 kg/(tonne*km), distance: 800 km, label: truck CN}
      installation: {site: DE, electricity: 0.5 kWh/module}
      use: {}                       # nothing beyond the module itself
      end_of_life:
        emissions: {co2e_aggregated: 1.2 kg/module}

No distance, installation, maintenance or end-of-life amount is bundled: none has a source
that fits every product, so every downstream number is the user's, and a cradle-to-grave
result needs all four stages written out (an empty ``{}`` says "nothing" explicitly).
"""



from footprint.errors import InputError
from footprint.model.chain import Flow, Process, Provenance
from footprint.model.downstream import DownstreamSpec, DownstreamStage, Leg, parse_downstream  # noqa: F401
from footprint.units import Quantity, plain_number, ureg
from footprint.vocab import DOWNSTREAM_STAGES

_NAMES = {"transport": "transport to site", "installation": "installation", "use": "use (operation and maintenance)",
          "end_of_life": "end of life"}


def downstream_processes(spec, bundle):
    """The processes after the gate, one per stage, each per module.

    Raises
    ------
    InputError
        No ``downstream:`` block, a stage left out, or an amount that does not fit its dataset.
    """
    where = f"{spec.source}: downstream"
    if spec.downstream is None:
        raise InputError(f"{where}: missing; a cradle-to-grave result needs transport, installation, use and end_of_life "
                         "(per module; no sourced defaults exist, write {} for a stage with nothing)")
    missing = [name for name in DOWNSTREAM_STAGES if name not in spec.downstream.stages]
    if missing:
        raise InputError(f"{where}.{missing[0]}: missing; a cradle-to-grave result needs all of {', '.join(DOWNSTREAM_STAGES)} "
                         "(write {} for a stage with nothing)")
    user = Provenance(True, spec.source)
    area = spec.area.to("m**2")
    power = spec.rated_power.to("W")
    processes = {}
    for name in DOWNSTREAM_STAGES:
        stage = spec.downstream.stages[name]
        path = f"{where}.{name}"
        process = Process(name, _NAMES[name], "piece", stage.site, "")

        def per_module(quantity, numerator, field_path):
            for denominator, factor in (("piece", None), ("m**2", area), ("W", power)):
                if quantity.dimensionality == ureg.Unit(f"({numerator})/{denominator}").dimensionality:
                    scaled = quantity if factor is None else quantity * factor / Quantity(1, "piece")
                    return scaled.to(f"({numerator})/piece").magnitude
            raise InputError(f"{field_path}: got {quantity:~}; expected {numerator} per module, per m2 or per W")

        if stage.electricity is not None or stage.heat is not None:
            if stage.electricity is not None:
                if not stage.site:
                    raise InputError(f"{path}.site: missing; electricity needs the site's geography for its grid")
                grid = bundle.grid_for(stage.site, spec.electricity_basis)
                if grid is None:
                    raise InputError(f"{path}.site: no bundled grid electricity for {stage.site!r} or the grids it belongs to")
                process.electricity_dataset = grid.id
                process.electricity_basis = spec.electricity_basis
                process.flows.append(Flow("dataset", grid.id, plain_number(per_module(stage.electricity, "kWh", f"{path}.electricity")),
                                          f"electricity, {grid.name}", user))
            if stage.heat is not None:
                process.flows.append(Flow("dataset", "heat_natural_gas", plain_number(per_module(stage.heat, "MJ", f"{path}.heat")),
                                          "heat, natural gas", user))
        for item, quantity in stage.materials.items():
            dataset = bundle.datasets.get(item)
            if dataset is None:
                raise InputError(f"{path}.materials.{item}: unknown dataset {item!r}; expected an id of the bundled inventories")
            process.flows.append(Flow("dataset", item, plain_number(per_module(quantity, dataset.unit, f"{path}.materials.{item}")), dataset.name, user))
        for item, quantity in stage.emissions.items():
            gas = bundle.gases.get(item)
            if gas is None:
                raise InputError(f"{path}.emissions.{item}: unknown gas {item!r}; expected one of {', '.join(sorted(bundle.gases))}")
            process.flows.append(Flow("gas", item, plain_number(per_module(quantity, "kg", f"{path}.emissions.{item}")), gas.label, user))
        for index, leg in enumerate(stage.legs):
            work = (stage.mass * leg.distance).to("tonne*km").magnitude
            if leg.dataset:
                dataset = bundle.datasets.get(leg.dataset)
                if dataset is None:
                    raise InputError(f"{path}.legs[{index}].dataset: unknown dataset {leg.dataset!r}; expected a bundled transport dataset")
                try:
                    amount = Quantity(work, "tonne*km").to(dataset.unit).magnitude
                except Exception:
                    raise InputError(f"{path}.legs[{index}].dataset: {leg.dataset!r} is in {dataset.unit}; expected a transport dataset in tonne*km") from None
                process.flows.append(Flow("dataset", leg.dataset, plain_number(amount), f"{leg.label}: {dataset.name}", user))
            else:
                emission = work * leg.emission_factor.to("kg_CO2_eq/(tonne*km)").magnitude
                process.flows.append(Flow("gas", "co2e_aggregated", plain_number(emission), f"{leg.label} (user emission factor)", user))
        processes[name] = process
    return processes

