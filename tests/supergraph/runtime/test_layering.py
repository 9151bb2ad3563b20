"""The runtime's import direction (supergraph/runtime/README.md, "Layout").

Every module's imports are read from its source (ast: top-level, function-level and
`TYPE_CHECKING` ones alike) and checked against the layers: the plan and its data at the
bottom, execution and fetching on it, the pipeline (`gateway.py`) on them, the plugins
(the policies and their assembly, `plugins/builtin.py`) on the pipeline, and the
transports (`server/`) on top. The stages know the policies only through the plugin API
(`plugins/api.py`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[3] / "supergraph" / "runtime"
PREFIX = "supergraph.runtime"
API = f"{PREFIX}.plugins.api"
# read by every stage: the supergraph's tables, spans, a document's facts, the APQ store
SHARED = ("supergraph_schema", "tracing", "operation_facts", "apq")


def _module(path: Path) -> str:
    parts = path.relative_to(RUNTIME).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PREFIX, *parts))


def imports_of(path: Path, source: str | None = None) -> set[str]:
    """The absolute names `path` (or `source` as if it were `path`) imports: modules, and
    `module.name` for each imported name (so `from . import defer` counts as importing
    the `defer` module)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    text = path.read_text() if source is None else source
    found: set[str] = set()
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    return {_module(p): imports_of(p) for p in sorted(RUNTIME.rglob("*.py"))}


MODULES = _modules()


def _is_api(name: str) -> bool:
    return name == API or name.startswith(API + ".")


def _in(name: str, *areas: str) -> bool:
    return any(name == f"{PREFIX}.{a}" or name.startswith(f"{PREFIX}.{a}.") for a in areas)


def _wrong(importer_areas: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    """`importer -> imported` for every runtime import of a module in `importer_areas`
    that lies outside its own area and `allowed`."""
    wrong = []
    for module, imported in MODULES.items():
        own = next((a for a in importer_areas if _in(module, a)), None)
        if own is None:
            continue
        for name in sorted(imported):
            if name == PREFIX or not name.startswith(PREFIX + "."):
                continue
            if not _in(name, own, *allowed) and not _is_api(name):
                wrong.append(f"{module} -> {name}")
    return wrong


def test_the_walk_sees_every_module_and_its_imports() -> None:
    assert f"{PREFIX}.gateway" in MODULES and f"{PREFIX}.planning.planner" in MODULES
    assert f"{PREFIX}.execution.shaping" in MODULES[f"{PREFIX}.gateway"]
    # relative imports of a module from a package, and from a package's `__init__`
    assert f"{PREFIX}.planning.defer_directives" in MODULES[f"{PREFIX}.planning.collect"]
    assert (
        f"{PREFIX}.plugins.authorization.authorizer" in MODULES[f"{PREFIX}.plugins.authorization"]
    )


def test_planning_imports_only_itself_and_the_supergraph_tables() -> None:
    assert _wrong(("planning",), SHARED) == []
    for module, imported in MODULES.items():
        if _in(module, "planning"):
            assert not any(_is_api(n) for n in imported), module


def test_fetching_and_caching_import_no_stage_above_them() -> None:
    assert _wrong(("fetching",), SHARED) == []
    assert _wrong(("caching",), ("fetching", *SHARED)) == []


def test_execution_imports_the_plan_and_fetching_and_of_the_plugins_only_their_api() -> None:
    allowed = ("planning", "fetching", "caching", "native", *SHARED)
    assert _wrong(("execution",), allowed) == []


def test_the_compiled_data_path_reads_only_the_plan() -> None:
    """`native/` (merge, shaping and `_entities` batches in compiled code) sits beside
    execution, on the plan's data."""
    assert _wrong(("native",), ("planning", *SHARED)) == []


def test_the_pipeline_knows_the_policies_only_through_the_plugin_api() -> None:
    stage = (f"{PREFIX}.gateway", *(m for m in MODULES if _in(m, "planning", "execution")))
    for module in (*stage, *(m for m in MODULES if _in(m, "fetching", "caching"))):
        policies = sorted(n for n in MODULES[module] if _in(n, "plugins") and not _is_api(n))
        assert policies == [], module
        assert not any(_in(n, "server") for n in MODULES[module]), module


def test_the_shared_modules_import_no_stage() -> None:
    for name in SHARED:
        imported = MODULES[f"{PREFIX}.{name}"]
        assert sorted(n for n in imported if n.startswith(PREFIX + ".")) == [], name


def test_only_the_transports_and_the_package_import_the_assembly_and_the_server() -> None:
    assembly = f"{PREFIX}.plugins.builtin"
    for module, imported in MODULES.items():
        if module in (PREFIX, assembly) or _in(module, "server"):
            continue
        assert not any(n == assembly or n.startswith(assembly + ".") for n in imported), module
        assert not any(_in(n, "server") for n in imported), module


def test_the_plugin_api_names_no_policy() -> None:
    imported = MODULES[API]
    assert sorted(n for n in imported if _in(n, "plugins")) == []


def test_nothing_imports_the_composition() -> None:
    """The gateway serves a composed supergraph; composing is `supergraph.composition`'s."""
    for module, imported in MODULES.items():
        assert not any(n.startswith("supergraph.composition") for n in imported), module


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("planning/plan.py", "from ..execution.shaping import Shaper"),
        ("execution/shaping.py", "from ..plugins.authorization import Authorizer"),
        ("gateway.py", "from .plugins.demand_control import CostEstimator"),
        ("fetching/fetcher.py", "from ..planning import plan"),
    ],
)
def test_a_wrong_direction_import_is_caught(
    module: str, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rule fails for one import added in the wrong direction (the walk is rerun on
    the module with the line appended)."""
    path = RUNTIME / module
    altered = imports_of(path, path.read_text() + "\n" + line + "\n")
    monkeypatch.setitem(MODULES, _module(path), altered)
    checks = (
        test_planning_imports_only_itself_and_the_supergraph_tables,
        test_fetching_and_caching_import_no_stage_above_them,
        test_execution_imports_the_plan_and_fetching_and_of_the_plugins_only_their_api,
        test_the_pipeline_knows_the_policies_only_through_the_plugin_api,
    )
    failed = []
    for check in checks:
        try:
            check()
        except AssertionError:
            failed.append(check.__name__)
    assert failed, f"{line!r} in {module} passed every rule"
