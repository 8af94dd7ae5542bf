"""Checks across the bundled files: references resolve, no dataset consumes itself, defaults fit their stage."""

from footprint.bundle.types import Exchange
from footprint.errors import DataError, UnitError
from footprint.units import parse_quantity, ureg
from footprint.vocab import CO2_ONLY_SCOPES, FLUORINATED_PARAMETERS, REFERENCE_UNITS, STAGE_PARAMETERS, STAGES


class Pending:
    """An exchange whose unit is checked once every dataset is known."""

    def __init__(self, exchange, flow_unit, where):
        self.exchange = exchange
        self.flow_unit = flow_unit
        self.where = where


def check_references(datasets, gases):
    for dataset in datasets.values():
        resolved = []
        for pending in dataset.exchanges:
            exchange = pending.exchange
            flow = exchange.flow
            if flow in gases:
                expected = "kg"
                if exchange.scope in CO2_ONLY_SCOPES and not flow.startswith("co2_"):
                    raise DataError(f"{pending.where}, column flow: {flow!r} in a row of scope {exchange.scope}; "
                                    f"a CO2-only factor emits CO2 only (use scope co2e_combustion or co2e_lifecycle)")
            elif flow in datasets:
                expected = datasets[flow].unit
                if flow == dataset.id:
                    raise DataError(f"{pending.where}, column flow: dataset {flow!r} consumes itself")
            else:
                raise DataError(f"{pending.where}, column flow: {flow!r} is neither a gas of gases.csv nor a dataset")
            try:
                quantity = parse_quantity(f"{exchange.amount} {pending.flow_unit}", expected, where=f"{pending.where}, column flow_unit")
            except UnitError as exc:
                raise DataError(str(exc)) from None
            resolved.append(Exchange(**{**exchange.__dict__, "amount": float(quantity.magnitude), "where": pending.where}))
        dataset.exchanges = resolved
    check_cycles(datasets)


def check_cycles(datasets):
    """Background datasets may consume each other, but never in a loop."""
    state = {}

    def visit(dataset_id, path):
        if state.get(dataset_id) == "done":
            return
        if state.get(dataset_id) == "open":
            loop = " -> ".join([dataset for dataset, _ in path[[d for d, _ in path].index(dataset_id):]] + [dataset_id])
            closing = path[-1][1]  # the row whose flow closes the loop
            raise DataError(f"{closing}, column flow: datasets consume each other in a loop ({loop})")
        state[dataset_id] = "open"
        for exchange in datasets[dataset_id].exchanges:
            if exchange.flow in datasets:
                visit(exchange.flow, path + [(dataset_id, exchange.where)])
        state[dataset_id] = "done"

    for dataset_id in datasets:
        visit(dataset_id, [])


def check_default(key, value, where, datasets, gases):
    """A default's parameter must exist for its stage, name a known dataset or gas, and have the right unit."""

    stage, _, parameter = key
    if stage not in STAGES:
        raise DataError(f"{where}, column stage: got {stage!r}; expected one of {', '.join(STAGES)}")
    reference = REFERENCE_UNITS[stage]
    if parameter.startswith("material:"):
        item = parameter.split(":", 1)[1]
        if item not in datasets:
            raise DataError(f"{where}, column parameter: material {item!r} is not a dataset of the background files")
        numerator = datasets[item].unit
    elif parameter.startswith("emission:"):
        item = parameter.split(":", 1)[1]
        if item not in gases:
            raise DataError(f"{where}, column parameter: gas {item!r} is not in gases.csv")
        numerator = "kg"
    elif parameter in ("electricity", "heat"):
        numerator = "kWh" if parameter == "electricity" else "MJ"
    elif parameter in STAGE_PARAMETERS[stage] or (stage == "cell" and parameter in FLUORINATED_PARAMETERS):
        unit = STAGE_PARAMETERS[stage].get(parameter) or FLUORINATED_PARAMETERS[parameter]
        expected = ureg.Unit(unit.replace("dimensionless", ""))
        if value.dimensionality != expected.dimensionality:
            raise DataError(f"{where}, column unit: got {show_unit(value.units)} for {stage}/{parameter}; expected {show_unit(expected)}")
        return
    else:
        own = [*FLUORINATED_PARAMETERS] if stage == "cell" else []
        known = ", ".join(["electricity", "heat", *STAGE_PARAMETERS[stage], *own, "material:<dataset>", "emission:<gas>"])
        raise DataError(f"{where}, column parameter: {parameter!r} is not a {stage} parameter; expected one of {known}")
    denominators = (reference,) if reference == "kg" else (reference, "m**2", "W")
    for denominator in denominators:
        if value.dimensionality == ureg.Unit(f"({numerator}) / {denominator}").dimensionality:
            return
    raise DataError(f"{where}, column unit: got {show_unit(value.units)} for {stage}/{parameter}; expected {numerator} per "
                    + " or per ".join(denominators))


def show_unit(unit):
    """A unit for a message: its symbol in quotes, or say that there is none."""
    text = f"{unit:~}"
    return f"{text!r}" if text else "no unit (a plain number)"
