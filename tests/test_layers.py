"""The import layers: front ends (ui, the CLI) above the library, the library above scrapers.

Every import statement counts, including those inside functions (a lazy import is still
a dependency). A second check imports each module in an interpreter where no project
module is loaded yet, which is how a circular import between two of them shows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "scrapers", "ui")
# Scripts that run when imported (the Streamlit pages, ``python -m catalog``).
SCRIPTS = ("ui.app", "ui.views.", "catalog.__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every project module ``path`` imports, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t.split(".")[0] in PACKAGES}


def layer_of(module: str) -> str:
    if module.startswith("ui"):
        return "ui"
    if module == "catalog.cli" or module.startswith("catalog.cli."):
        return "cli"
    if module == "catalog.__main__":
        return "cli"
    if module.startswith("catalog"):
        return "library"
    return "scrapers"


# What each layer may import. The CLI launches the app through ui.server and nothing else.
ALLOWED = {
    "ui": {"ui", "library", "scrapers"},
    "cli": {"cli", "library", "scrapers", "ui.server"},
    "library": {"library", "scrapers"},
    "scrapers": {"scrapers"},
}


def violations(modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in modules.items():
        allowed = ALLOWED[layer_of(name)]
        for target in sorted(imports_of(name, path)):
            if layer_of(target) in allowed or any(
                target == a or target.startswith(f"{a}.") for a in allowed
            ):
                continue
            found.append(f"{name} ({layer_of(name)}) imports {target} ({layer_of(target)})")
    return found


def test_layers_hold() -> None:
    assert violations(project_modules()) == []


def test_the_layer_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    scraper = tmp_path / "x.py"
    scraper.write_text("def f():\n    from catalog.record import CourseRecord\n")
    library = tmp_path / "y.py"
    library.write_text("from .cli.common import UserError\nimport ui.state\n")
    fine = tmp_path / "z.py"
    fine.write_text("from . import record\nfrom scrapers.base import RawCourse\n")
    found = violations({"scrapers.x": scraper, "catalog.y": library, "catalog.z": fine})
    assert found == [
        "scrapers.x (scrapers) imports catalog.record (library)",
        "scrapers.x (scrapers) imports catalog.record.CourseRecord (library)",
        "catalog.y (library) imports catalog.cli.common (cli)",
        "catalog.y (library) imports catalog.cli.common.UserError (cli)",
        "catalog.y (library) imports ui.state (ui)",
    ]


CHECK_FRESH = """
import importlib, json, sys, traceback
failed = {}
names, packages = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[loaded]
    if "sqlmodel" in sys.modules:  # tables are declared again by the next import
        sys.modules["sqlmodel"].SQLModel.metadata.clear()
        sys.modules["sqlmodel"].SQLModel._sa_registry.dispose()
        sys.modules["sqlmodel"].SQLModel._sa_registry._class_registry.clear()
    try:
        importlib.import_module(name)
    except Exception:
        failed[name] = traceback.format_exc(limit=-2)
print(json.dumps(failed))
"""


def failed_alone(names: list[str], packages: tuple[str, ...], cwd: Path) -> dict[str, str]:
    """Modules that fail to import as the first module of their packages to load.

    Third-party modules stay loaded between the imports (that keeps it quick).
    """
    result = subprocess.run(
        [sys.executable, "-c", CHECK_FRESH, json.dumps(names), json.dumps(packages)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    failed: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
    return failed


def test_every_module_imports_on_its_own() -> None:
    names = [n for n in project_modules() if not n.startswith(SCRIPTS)]
    assert failed_alone(names, PACKAGES, ROOT) == {}


def test_the_import_check_sees_a_cycle(tmp_path: Path) -> None:
    # a takes f from b after defining NAME, b takes NAME from a: fine from a, broken from b.
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("NAME = 1\nfrom cyclepkg.b import f  # noqa\n")
    (package / "b.py").write_text("from cyclepkg.a import NAME\n\ndef f(): return NAME\n")
    failed = failed_alone(["cyclepkg.a", "cyclepkg.b"], ("cyclepkg",), tmp_path)
    assert list(failed) == ["cyclepkg.b"]


# A module is read whole by whoever changes it; past this it is time to split it by job.
MAX_MODULE_LINES = 400


def test_modules_stay_small() -> None:
    long = {
        name: lines
        for name, path in project_modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
