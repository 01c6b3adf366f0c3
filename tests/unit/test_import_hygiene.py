"""The headless core never imports Textual or Rich (only ``cxdaily.ui`` may), and the tests
keep their shape: helpers in kits, folders that mirror the packages.

The static layer contracts are in ``pyproject.toml`` (``lint-imports``, run by ``.ci/run``);
these tests check what they cannot: what a real import loads at run time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HEADLESS_MODULES = (
    "cxdaily",
    "cxdaily.cli",
    "cxdaily.service",
    "cxdaily.store",
    "cxdaily.curation",
    "cxdaily.streaks",
    "cxdaily.settings",
    "cxdaily.connectors",
    "cxdaily.connectors.demo",
    "cxdaily.connectors.runner",
    "cxdaily.core.models",
    "cxdaily.core.safe_text",
    "cxdaily.credentials",
    "cxdaily.paths",
    "cxdaily.core.clock",
    "cxdaily.insights.taxonomy",
)

_REPORT_UI_MODULES = """
import json, sys
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))))
"""


# httpx imports Rich for its own command line whenever click is installed (httpx[cli]);
# click is not a dependency of cxdaily but comes with import-linter in the test extra.
# The child runs as a user's install does: without httpx's command line.
_AS_INSTALLED = """
import sys
sys.modules["httpx._main"] = None  # httpx then skips its CLI (an ImportError it expects)
"""


def _ui_modules_after(code: str, env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _AS_INSTALLED + code + _REPORT_UI_MODULES],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_headless_core_loads_neither_textual_nor_rich(subprocess_env):
    code = "".join(f"import {name}\n" for name in HEADLESS_MODULES)
    assert _ui_modules_after(code, subprocess_env) == []


def test_headless_commands_run_without_loading_textual_or_rich(subprocess_env):
    """Running real subcommands (fetch, batch, streak, locate) stays headless too."""
    code = (
        "import contextlib, io\n"
        "from cxdaily.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--demo', 'fetch', '--json']) == 0\n"
        "    assert main(['--demo', 'batch', '--json']) == 0\n"
        "    assert main(['--demo', 'streak', '--json']) == 0\n"
        "    assert main(['locate', 'data']) == 0\n"
    )
    assert _ui_modules_after(code, subprocess_env) == []


# ----------------------------------------------------------------------------- the tests
TESTS = Path(__file__).resolve().parents[1]
PACKAGE = TESTS.parent / "cxdaily"
_TEST_IMPORT = re.compile(r"^\s*(?:from|import)\s+(tests(?:\.\w+)+)", re.MULTILINE)


def test_no_test_module_imports_another_test_module_or_a_conftest():
    """Shared helpers live in ``*_kit.py`` modules, so a test never imports a test."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for module in _TEST_IMPORT.findall(path.read_text("utf-8")):
            last = module.rsplit(".", 1)[-1]
            if last.startswith("test_") or last == "conftest":
                offenders.append(f"{path.relative_to(TESTS.parent)} imports {module}")
    assert offenders == []


def test_unit_test_folders_mirror_the_packages():
    """tests/unit/<package>/ for each package of cxdaily, and no folder for anything else."""
    folders = {p.name for p in (TESTS / "unit").iterdir() if p.is_dir() and p.name[0] != "_"}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders <= packages


def _top_level_imports(path: Path, package_root: Path) -> set[str]:
    """The cxdaily modules a module imports when it is loaded: its body's own ``import``
    statements (not those under ``if TYPE_CHECKING:`` nor inside functions)."""
    import ast

    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    root = package_root.parent
    return {
        name
        for name in names
        if name.split(".")[0] == "cxdaily"
        and (
            (root / Path(*name.split("."))).with_suffix(".py").is_file()
            or (root / Path(*name.split(".")) / "__init__.py").is_file()
        )
    }


def test_no_module_imports_itself_back_when_loaded() -> None:
    """No import cycle: following the imports a module runs when it is loaded never leads
    back to it (lazy imports inside functions and type-only imports are not followed)."""
    package_root = Path(__file__).resolve().parents[2] / "cxdaily"
    graph: dict[str, set[str]] = {}
    for path in package_root.rglob("*.py"):
        parts = path.relative_to(package_root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = _top_level_imports(path, package_root)
    assert len(graph) > 200
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
