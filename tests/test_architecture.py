"""The house (issue 18, docs/architecture.md): a root that shows the flow, imports that only
go down it, no cycle, no module too long to read in one sitting. Walked with `ast`, lazy
imports inside functions included, so that none of it can quietly come back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wudi_audit"

# The flow, lowest first. A module may import from its own layer or a lower one, never a
# higher one: facts do not know tables, the reader knows no rule, the rules know no report,
# the report knows no ledger writer, nothing below the command line knows the command line.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "timings", "facts", "rules"),  # domain facts and the rule packs' parameters
    ("schema",),  # the tables the tool reads, and their fields
    ("read",),  # files → raw tables
    ("normalise",),  # raw tables → typed fields; every input of a batch
    ("checks",),  # the rules and the engine
    ("report",),  # results → workbook and JSON
    ("ledger",),  # paid history on disk
    ("pipeline",),  # the one path a batch takes
    ("batches",),  # folders of batches, the nightly job, the settings file
    ("sample",),  # sample batches with planted problems
    ("cli",),  # the command line
)
RANK = {part: i for i, layer in enumerate(LAYERS) for part in layer}
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """The package's modules `module` imports (a name imported from a package that is a
    module of its own counts as that module)."""
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.add(sub if sub in MODULES else source)
    return {t for t in targets if t in MODULES and t != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _part(module: str) -> str | None:
    """`read` for `wudi_audit.read.reader`, `pipeline` for `wudi_audit.pipeline`; None for
    the package itself (`__version__`) and `__main__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__main__" else None


def test_the_root_holds_at_most_four_modules():
    loose = sorted(
        p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")
    )
    assert len(loose) <= 4, loose


def test_every_folder_and_root_module_has_a_place_in_the_flow():
    parts = {_part(m) for m in MODULES} - {None}
    assert parts <= set(RANK), sorted(parts - set(RANK))


def test_imports_only_go_down_the_flow():
    upward = [
        f"{module} → {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _part(module) and _part(target) and RANK[_part(target)] > RANK[_part(module)]
    ]
    assert not upward, upward


def test_no_import_cycle():
    """Tarjan's strongly connected components: any component of more than one module (or a
    module importing itself) is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not cycles, cycles


def test_the_cycle_detector_finds_a_cycle(monkeypatch):
    """The test above could pass by never looking: it must see a planted cycle."""
    monkeypatch.setitem(GRAPH, "wudi_audit.read.sniff", {"wudi_audit.read.reader"})
    monkeypatch.setitem(
        GRAPH, "wudi_audit.read.reader", GRAPH["wudi_audit.read.reader"] | {"wudi_audit.read.sniff"}
    )
    with pytest.raises(AssertionError):
        test_no_import_cycle()


def test_reader_and_sniff_do_not_import_each_other():
    assert "wudi_audit.read.reader" not in GRAPH["wudi_audit.read.sniff"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_one_sitting(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_every_command_group_has_its_own_module():
    cli = {p.stem for p in (PACKAGE / "cli").glob("*.py")}
    assert {"check", "ledger", "catalog", "rules", "sample", "options", "help"} <= cli


def test_the_flow_check_finds_an_arrow_up(monkeypatch):
    monkeypatch.setitem(
        GRAPH, "wudi_audit.read.reader", GRAPH["wudi_audit.read.reader"] | {"wudi_audit.cli.app"}
    )
    with pytest.raises(AssertionError):
        test_imports_only_go_down_the_flow()
