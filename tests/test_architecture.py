"""The tree tells the architecture: dependencies run one way, every module has a home.

Imports are read from the source (every `import` and `from ... import`,
module-level or inside a function), not from what happens to be loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
APPS = ("confguide", "sessions", "blog")
# Each app may use the ones after it, never the ones before: blog features the
# conference's sessions, both use confguide's site-wide helpers.
LAYERS = ("blog", "sessions", "confguide")
# The one module that knows every app: it puts their URLs and sitemaps together.
COMPOSITION_ROOT = "confguide.urls"
# The conference app's domain core; everything else lives in a capability package.
SESSIONS_CORE = {
    "__init__",
    "admin",
    "apps",
    "content",
    "dashboard",
    "days",
    "forms",
    "models",
    "querysets",
    "services",
    "tasks",
    "theming",
    "validators",
}
SESSIONS_PACKAGES = {
    "public",
    "exports",
    "importers",
    "myschedule",
    "demo",
    "search",
    "templatetags",
    "management",
    "migrations",
}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package.pop()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
    return names


def app_imports() -> dict[str, set[tuple[str, str]]]:
    """For each app, the (module, imported module) pairs that reach another app."""
    found: dict[str, set[tuple[str, str]]] = {app: set() for app in APPS}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            module = _module_name(path)
            for name in _imports(path):
                target = name.split(".")[0]
                if target in APPS and target != app:
                    found[app].add((module, name))
    return found


def test_the_import_reader_sees_relative_and_function_level_imports(tmp_path):
    package = tmp_path / "sessions" / "public"
    package.mkdir(parents=True)
    module = package / "views.py"
    module.write_text("from ..models import Session\ndef f():\n    from blog import models\n")

    assert _imports(module, root=tmp_path) == {"sessions.models", "blog"}


def test_dependencies_between_apps_run_one_way():
    upward = []
    for app, pairs in app_imports().items():
        allowed = set(LAYERS[LAYERS.index(app) + 1 :])
        for module, name in sorted(pairs):
            if module == COMPOSITION_ROOT:
                continue
            if name.split(".")[0] not in allowed:
                upward.append(f"{module} imports {name}")
    assert upward == []


def test_every_conference_module_belongs_to_the_core_or_a_named_package():
    sessions = ROOT / "sessions"
    modules = {path.stem for path in sessions.glob("*.py")}
    packages = {path.name for path in sessions.iterdir() if (path / "__init__.py").exists()}

    assert modules - SESSIONS_CORE == set()
    assert packages == SESSIONS_PACKAGES


@pytest.mark.parametrize("package", sorted(SESSIONS_PACKAGES - {"migrations"}))
def test_each_capability_package_says_what_it_is_in_one_line(package):
    init = ROOT / "sessions" / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text())) or ""

    assert docstring, f"sessions/{package}/__init__.py has no docstring"
