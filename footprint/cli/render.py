"""Text for people: tables of results, claims and label decisions."""


def result_table(result):
    """The result of ``calc`` as text."""
    unit = result.total.unit
    lines = [
        f"{result.product_name} ({result.product})",
        f"Carbon footprint, {result.boundary.name}: {result.total.value:,.4g} {unit} (location-based electricity)",
        f"                  market-based electricity: {result.electricity.market_based.value:,.4g} {unit}",
        f"Declared unit: {result.boundary.declared_unit}; primary data share {result.primary_data_share:.1%}",
        f"Method: {result.gwp}; data version {result.data_version}",
        "",
        "By stage:",
    ]
    for stage, part in result.by_stage.items():
        lines.append(f"  {stage:<14}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("Largest contributions:")
    for label, part in list(result.by_activity.items())[:8]:
        lines.append(f"  {part.share:>6.1%}  {label}")
    lines.append("By gas:")
    width = max([14, *(len(gas) + 2 for gas in result.by_gas)])
    for gas, part in result.by_gas.items():
        lines.append(f"  {gas:<{width}}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("By origin:")
    for origin, part in result.by_origin.items():
        lines.append(f"  {origin:<14}{part.value:>12,.4g}  {part.share:>6.1%}")
    lines.append("Electricity, location-based grid:")
    for use in result.electricity.uses:
        when = use.year if use.year else f"valid from {use.valid_from}"  # a shared entry has no data year
        lines.append(f"  {use.stage:<14}{use.site:<8}{use.amount:>10,.4g} kWh  {use.name} ({when})")
    for claim in result.electricity.instruments:
        lines.append(f"  {'+'.join(claim.stages):<14}{claim.type:<8}{claim.kwh:>10,.4g} kWh  {claim.id} "
                     f"({claim.site_mwh:,.0f} MWh = {claim.coverage:.1%} of the site's {claim.site_consumed_mwh:,.0f} MWh; "
                     f"by output {claim.product_output:,.6g} of {claim.site_output:,.6g} {claim.output_unit} = {claim.output_share:.1%}: "
                     f"{claim.claimed_mwh:,.0f} MWh claimed)")
    for note in result.notes + result.electricity.notes:
        lines.append(f"Note: {note}")
    lines.append(f"Inputs sha256: {result.inputs_sha256}")
    return "\n".join(lines)
