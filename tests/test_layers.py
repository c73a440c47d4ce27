"""The layers of ADR 0011, checked over every module's imports so a new app cannot quietly break them.

- Packages stand in one ordered list (`[tool.vig.layers]` in pyproject.toml), bottom to top, and every package in
  the repository is in it. A module imports only its own package and the packages below it: no exemptions, not for
  migrations, management commands or imports inside functions.
- No import cycle between modules: no two modules import each other, directly or round a loop.
- No module imports another app's pages or API (`<app>.views`, `<app>.api`).
- Within an app, page modules and API modules do not borrow from each other: shared reads live in querysets or
  `reads` modules, shared writes in actions.

The checks are plain functions over a folder, so the last tests can feed them a bad tree and watch them fail.
"""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_LAYERED = {"tests"}  # the suite may import anything; nothing imports it
PLUMBING = {"web", "vig_service"}  # web's own `api` module is plumbing; the root URLs name every app's pages


def layer_order(root: Path = ROOT) -> list[str]:
    """The packages bottom to top, from the one place they are listed."""
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["vig"]["layers"]["order"]


def packages(root: Path) -> set[str]:
    """Every top-level Python package in the tree."""
    return {p.parent.name for p in root.glob("*/__init__.py")}


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path, package: str):
    for path in sorted((root / package).rglob("*.py")):
        yield module_name(root, path), path


def imports(root: Path, path: Path) -> set[str]:
    """Every module a file imports, absolute, including imports inside functions."""
    tree = ast.parse(path.read_text())
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
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


def unlisted_packages(root: Path, order: list[str]) -> set[str]:
    return packages(root) - set(order) - NOT_LAYERED


def upward_imports(root: Path, order: list[str]) -> list[str]:
    """Imports from a package to one above it in the list."""
    rank = {package: i for i, package in enumerate(order)}
    offenders = []
    for package in order:
        if not (root / package).is_dir():
            continue
        for name, path in modules(root, package):
            for module in imports(root, path):
                top = module.split(".")[0]
                if top in rank and rank[top] > rank[package]:
                    offenders.append(f"{name} imports {module} ({top} is above {package})")
    return sorted(set(offenders))


def import_cycles(root: Path, order: list[str]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for package in order:
        if (root / package).is_dir():
            for name, _path in modules(root, package):
                graph[name] = set()
    for package in order:
        if not (root / package).is_dir():
            continue
        for name, path in modules(root, package):
            graph[name] = {m for m in imports(root, path) if m in graph and m != name}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def _page_or_api(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in {"views", "api"} else None


def borrowed_pages_or_api(root: Path, order: list[str]) -> list[str]:
    """Imports of another package's pages or API, and between an app's own pages and API."""
    offenders = []
    for package in order:
        if not (root / package).is_dir():
            continue
        for name, path in modules(root, package):
            mine = _page_or_api(name)
            for module in imports(root, path):
                theirs = _page_or_api(module)
                top = module.split(".")[0]
                if top in PLUMBING or package in PLUMBING:
                    continue
                if theirs and top in order and top != package or theirs and top == package and mine and mine != theirs:
                    offenders.append(f"{name} imports {module}")
    return sorted(set(offenders))


def test_every_package_is_in_the_layer_list():
    assert unlisted_packages(ROOT, layer_order()) == set()


def test_no_package_imports_one_above_it():
    assert upward_imports(ROOT, layer_order()) == []


def test_no_modules_import_each_other():
    assert import_cycles(ROOT, layer_order()) == []


def test_no_module_borrows_another_apps_pages_or_api():
    assert borrowed_pages_or_api(ROOT, layer_order()) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.vig.layers]\norder = ["core", "referrals", "cycles"]\n')
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in ("core", "referrals", "cycles"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return tmp_path


def test_the_checks_catch_an_upward_import(tmp_path):
    root = _tree(tmp_path, {"core/text.py": "def f():\n    from referrals.models import Referral\n"})
    assert upward_imports(root, layer_order(root)) == [
        "core.text imports referrals.models (referrals is above core)",
        "core.text imports referrals.models.Referral (referrals is above core)",
    ]


def test_the_checks_catch_a_package_left_out(tmp_path):
    root = _tree(tmp_path, {"newapp/__init__.py": ""})
    assert unlisted_packages(root, layer_order(root)) == {"newapp"}


def test_the_checks_catch_two_modules_importing_each_other(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cycles/models.py": "from .states import Status\n",
            "cycles/states.py": "from cycles import models\n",
            "cycles/timeline.py": "from cycles.models import Cycle\n",
        },
    )
    assert import_cycles(root, layer_order(root)) == [["cycles.models", "cycles.states"]]


def test_the_checks_catch_borrowed_pages(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cycles/views/visits.py": "from referrals.views import triage\n",
            "cycles/api/visits.py": "from cycles.views.visits import page\n",
        },
    )
    assert borrowed_pages_or_api(root, layer_order(root)) == [
        "cycles.api.visits imports cycles.views.visits",
        "cycles.api.visits imports cycles.views.visits.page",
        "cycles.views.visits imports referrals.views",
        "cycles.views.visits imports referrals.views.triage",
    ]
