"""The domain's closed lists, in one place: stages, units, boundaries, GWP sets, methods, scopes.

Every other module, the CLI's choices included, takes its lists from here; nothing retypes
them. Display names in English and Chinese live in ``footprint/names.yaml``
(:func:`footprint.i18n.name`), keyed by the ids below.

Each list is a tuple (order matters: stages run upstream first) or a dict whose keys are
the ids. :func:`choose` reads a user's spelling of an id case-insensitively.
"""

from footprint.errors import OptionError

# -- the product chain ----------------------------------------------------------------------

#: The cradle-to-gate chain, upstream first.
STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")
#: What one activity of each stage produces; per-unit parameters are per this unit.
REFERENCE_UNITS = {
    "mg_silicon": "kg",
    "polysilicon": "kg",
    "ingot": "kg",
    "wafer": "piece",
    "cell": "piece",
    "module": "piece",
}
#: Cell technologies a module may name (``product.technology``).
TECHNOLOGIES = ("perc", "topcon", "hjt", "bc")
#: Parameters each stage accepts besides site / electricity / heat / materials / emissions,
#: with the unit whose dimension the value must have.
STAGE_PARAMETERS = {
    "mg_silicon": {},
    "polysilicon": {"mg_silicon": "kg/kg"},
    "ingot": {"polysilicon": "kg/kg"},
    "wafer": {"wafer_area": "cm**2", "thickness": "um", "kerf": "um", "ingot_utilisation": "dimensionless", "yield": "dimensionless"},
    "cell": {"efficiency": "dimensionless", "yield": "dimensionless"},
    "module": {"cells": "piece", "cells_per_wafer": "dimensionless", "yield": "dimensionless",
               "frame_extrusion_electricity": "kWh/kg", "frame_extrusion_heat": "MJ/kg", "frame_mass_per_length": "kg/m"},
}
#: Parameters never required, even without a bundled default: ``frame_mass_per_length`` is used
#: only where a product gives its dimensions and the module technology has a per-metre figure.
OPTIONAL_PARAMETERS = frozenset({"frame_mass_per_length"})
#: Fluorinated gases of the cell stage (``stages.cell.fluorinated_gases``): the bundled IPCC 2006
#: defaults a product file may replace, with their units. NF3 chamber cleaning (Tier 2): the
#: emitted fraction of the NF3 used and the destruction efficiency of abatement; the Tier 1
#: PV-cell factors, per m2 of cell, used only with the ``ipcc-tier1`` option.
FLUORINATED_PARAMETERS = {"nf3_emitted_fraction": "dimensionless", "nf3_destruction": "dimensionless",
                          "ipcc_tier1_cf4": "kg/m**2", "ipcc_tier1_c2f6": "kg/m**2"}
#: ``stages.cell.fluorinated_gases`` methods: what each counts (docs/calculator.md, "Fluorinated gases").
FLUORINATED_METHODS = {
    "ipcc-tier2": "NF3 of CVD chamber cleaning from the NF3 used (IPCC 2006 Tier 2 emitted fraction and abatement)",
    "ipcc-tier1": "IPCC 2006 Tier 1 PV-cell factors, CF4 and C2F6 per m2 of cell (a conservative screening option)",
}
#: Parameters that are fractions (0 to 1, "%" allowed).
FRACTIONS = frozenset({"ingot_utilisation", "yield", "efficiency"})
#: Counts: a module holds a whole number of cells, and a wafer is cut into a whole number.
WHOLE_NUMBERS = frozenset({"cells", "cells_per_wafer"})
#: Stages whose product a supplier's declared footprint may replace.
SUPPLIER_STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell")
#: The basis of the grid-electricity factors (``product.electricity_basis``, a stage's
#: ``electricity_basis``) -> what a site gets on it. The first is the default: a product
#: carbon footprint (ISO 14067, GB/T 24067-2024) counts electricity's life-cycle CO2-eq.
ELECTRICITY_BASES = {
    "life-cycle": "life-cycle CO2-eq factors (China: the MEE/NBS/NEA national electricity carbon-footprint factor "
                  "of the latest year, published for product carbon footprints; elsewhere the country's bundled "
                  "life-cycle factor, Ember; the official factor where the country has none)",
    "official": "each country's latest official average grid factor (China: the MEE/NBS provincial CO2-only "
                "factors, published for organisations' CO2 accounting; eGRID, CEA, UBA, RTE ...; Ember where none)",
}
DEFAULT_ELECTRICITY_BASIS = "life-cycle"
#: The last stage a product file may describe (``product.stage``) -> the declared unit of
#: its footprint by default: a supplier computes its own stage (docs/calculator.md,
#: "A supplier's own stage"). ``module`` is the default stage.
STAGE_PRODUCTS = {"polysilicon": "kg-polysilicon", "ingot": "kg-ingot", "wafer": "wafer", "cell": "cell", "module": "module"}
#: How a module is mounted (``use.mounting``): decides the default performance ratio and yield.
MOUNTINGS = ("rooftop", "ground")
#: The stages after the factory gate, in order (cradle-to-grave).
DOWNSTREAM_STAGES = ("transport", "installation", "use", "end_of_life")

# -- what a result is per, and what it covers -----------------------------------------------

#: Declared unit -> (the stage whose product it measures, its description).
DECLARED_UNITS = {
    "module": ("module", "1 module"),
    "m2": ("module", "1 m2 of module"),
    "W": ("module", "1 W (peak, STC) of module"),
    "Wp": ("module", "1 Wp (STC) of module"),
    "kWp": ("module", "1 kWp (STC) of module"),
    "kWh": ("module", "1 kWh of electricity delivered over the module's life"),
    "cell": ("cell", "1 cell"),
    "m2-cell": ("cell", "1 m2 of cell (the wafer area)"),
    "W-cell": ("cell", "1 W (peak, STC) of cell: area x efficiency x 1000 W/m2"),
    "wafer": ("wafer", "1 wafer"),
    "kg-polysilicon": ("polysilicon", "1 kg of polysilicon"),
    "kg-ingot": ("ingot", "1 kg of mono ingot"),
}
BOUNDARIES = ("cradle-to-gate", "cradle-to-grave")

# -- characterisation -------------------------------------------------------------------------

#: GWP set id -> what it is.
GWP_SETS = {"ar6": "IPCC AR6 GWP100 (IPCC 2021)", "ar5": "IPCC AR5 GWP100 (IPCC 2013)"}
#: (GWP set, part) -> Brightway method id. "total" is what labels use.
METHODS = {
    ("ar6", "total"): ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    ("ar6", "fossil"): ("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)"),
    ("ar6", "biogenic"): ("IPCC 2021", "climate change: biogenic", "global warming potential (GWP100)"),
    ("ar6", "land_use"): ("IPCC 2021", "climate change: land use", "global warming potential (GWP100)"),
    ("ar5", "total"): ("IPCC 2013", "climate change", "global warming potential (GWP100)"),
}
#: Indicators with their own IPCC 2021 sub-method (AR6 only); "total" always.
SUB_METHODS = ("fossil", "biogenic", "land_use")
#: Origins a result is split by: the sub-methods, the CO2-eq given without a gas split, and the rest.
ORIGINS = ("fossil", "biogenic", "land_use", "aggregated", "unclassified")
EMISSION_UNIT = "kg CO2-eq"

# -- data ------------------------------------------------------------------------------------

#: What a background row's number counts (column ``scope`` of the inventories).
SCOPES = ("co2_combustion", "co2e_combustion", "co2e_lifecycle", "co2e_cradle_to_gate", "co2_cradle_to_gate", "process")
#: Scopes whose rows may only emit CO2 (a factor published as CO2 only must not carry CH4 ...).
CO2_ONLY_SCOPES = frozenset({"co2_combustion", "co2_cradle_to_gate"})
#: The five pedigree indicators of the ``quality`` column, each scored 1 (best) to 5 (worst).
PEDIGREE = ("reliability", "completeness", "temporal", "geographical", "technological")

# -- Brightway names ---------------------------------------------------------------------------

PROJECT = "footprint"
BIOSPHERE = "biosphere3"
BACKGROUND = "footprint-background"
FOREGROUND_PREFIX = "footprint-product-"
#: Name prefix of the temporary databases of a batch verification.
VERIFY_PREFIX = "footprint-verify-"
#: The library's own biosphere: one flow for factors published only as aggregated CO2-eq.
OWN_BIOSPHERE = "footprint-biosphere"

# -- output ----------------------------------------------------------------------------------

#: Languages of reports, labels and workbooks.
LANGS = ("en", "zh", "both")


def choose(value, choices, *, what):
    """Return the id in ``choices`` that ``value`` names, ignoring case where that is unambiguous.

    Parameters
    ----------
    value : str
        What the user wrote (``kwp``, ``AR6`` ...).
    choices : iterable of str
        The ids (``DECLARED_UNITS``, ``GWP_SETS`` ...).
    what : str
        What the value is, for the message (``"declared unit"``).

    Raises
    ------
    OptionError
        ``value`` names none of the choices, or several that differ only in case.
    """
    choices = tuple(choices)
    if value in choices:
        return value
    folded = [choice for choice in choices if isinstance(value, str) and choice.casefold() == value.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise OptionError(what, f"got {value!r}; expected one of {', '.join(choices)}")
