"""The layering rules of ADR 0007, checked over every module's imports so a new app cannot quietly break them.

- `accounts` imports no app: it is the floor every app stands on.
- `vig_service`'s shared plumbing imports no app: apps plug into it (home sections, admin inlines), not the other
  way round. Only the composition root may name apps: URLs, the demo and the management commands.
- No module imports another app's pages or API (`<app>.views`, `<app>.api`).
- Within an app, page modules and API modules do not borrow from each other: shared reads live in querysets or
  read modules, shared writes in actions.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["referrals", "notices", "cycles", "outcomes", "letters", "discharge", "dashboards", "audit", "governance"]
COMPOSITION_ROOT = {
    "vig_service/urls.py",
    "vig_service/demo.py",
    "vig_service/scale.py",
    "vig_service/scale_work.py",
    "vig_service/benchmark.py",
}


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or "/management/commands/" in relative or relative in COMPOSITION_ROOT:
            continue
        yield relative, path


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute, including imports inside functions."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in {"views", "api"} else None


@pytest.mark.parametrize("package", ["accounts", "vig_service"])
def test_lower_layers_import_no_app(package):
    offenders = [
        f"{name} imports {module}"
        for name, path in _modules(package)
        for module in _imports(path)
        if _top(module) in APPS
    ]
    assert offenders == []


def test_no_app_imports_another_apps_views_or_api():
    offenders = []
    for app in ["accounts", "vig_service", *APPS]:
        if not (ROOT / app).is_dir():
            continue
        for name, path in _modules(app):
            for module in _imports(path):
                if _top(module) != app and _top(module) in APPS and _layer(module):
                    offenders.append(f"{name} imports {module}")
    assert offenders == []


def test_pages_and_api_do_not_borrow_from_each_other():
    offenders = []
    for app in APPS:
        for layer, other in (("views", "api"), ("api", "views")):
            folder = ROOT / app / layer
            if not folder.is_dir():
                continue
            for path in folder.rglob("*.py"):
                for module in _imports(path):
                    if module.startswith(f"{app}.{other}.") or module == f"{app}.{other}":
                        offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The rules above can fail: a module that imports an app is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from referrals.views import triage\n")
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    assert "referrals.views.triage" in _imports(bad)
    assert _layer("referrals.views.triage") == "views" and _top("referrals.views") in APPS
