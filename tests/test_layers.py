"""The layer rule of docs/architecture.md: imports only point down, and no module imports itself round a circle.

Imports inside functions count: a lazy import is still a dependency. The graph is read from
the source with :mod:`ast`, so nothing is imported to check it.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "footprint"

#: The layers, bottom first: the first part of a module's name under ``footprint`` -> its layer.
LAYERS = {
    0: ("errors", "units", "vocab", "i18n", "fileio", "resources", "_version"),
    1: ("bundle",),
    2: ("model", "energy_yield", "lifecycle", "electricity", "supplier", "shared_data", "collect"),
    3: ("brightway", "engine", "provenance", "signing"),
    4: ("calc", "claims", "uncertainty"),
    5: ("labels",),
    6: ("report", "registry", "shareddb"),
    7: ("web", "server", "cli", "__init__", "__main__"),
}
LAYER_OF = {part: layer for layer, parts in LAYERS.items() for part in parts}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] == "__init__" else ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module):
    parts = module.split(".")
    return LAYER_OF[parts[1] if len(parts) > 1 else "__init__"]


def imports(module):
    """Every footprint module that ``module`` imports, at any depth of its code."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # "from footprint import supplier": the module, where the name is one
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("footprint") and name != module:
                found.add(name)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def test_every_module_has_a_layer():
    unknown = sorted(module for module in MODULES if module.split(".")[1:2] and module.split(".")[1] not in LAYER_OF)
    assert not unknown, f"modules outside every layer (add them to docs/architecture.md and LAYERS): {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_point_down(module):
    if module == "footprint":
        return  # the public API sits on top and may import anything
    upward = sorted(target for target in GRAPH[module] if target != "footprint" and layer(target) > layer(module))
    assert not upward, f"{module} (layer {layer(module)}) imports from higher layers: " + ", ".join(
        f"{target} (layer {layer(target)})" for target in upward)


def test_no_module_imports_the_package_front():
    # footprint/__init__.py is the public API on top: nothing inside may lean on it
    leaning = sorted(module for module, targets in GRAPH.items() if "footprint" in targets and module != "footprint")
    assert not leaning, f"modules importing footprint/__init__.py: {leaning}"


def test_no_import_circles():
    # a package's __init__ that imports its own submodules is its front, not a circle: the
    # edge from a submodule back to its package is the implicit parent import
    graph = {module: {t for t in targets if not module.startswith(t + ".")} for module, targets in GRAPH.items()}
    index, low, stack, on_stack, circles, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not circles, f"import circles: {circles}"


def test_only_the_brightway_package_imports_brightway():
    brightway = ("bw2data", "bw2calc", "bw2io", "bw_processing")
    offenders = []
    for module, path in MODULES.items():
        if module.startswith("footprint.brightway"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] in brightway for name in names):
                offenders.append(module)
    assert not offenders, f"modules importing Brightway outside footprint.brightway: {sorted(set(offenders))}"
