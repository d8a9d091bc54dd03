"""The house rules of docs/ARCHITECTURE.md, checked on the source: docstrings, no import cycles,
no reaching into another module's underscore names, the library never imports the layers above
it, and the notebooks use only public names."""
import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ip2p_nb"
# The data engine (datagen) sits beside train: it writes captions in the toy scenes' grammar.
ABOVE_THE_LIBRARY = ("ip2p_nb.cli", "ip2p_nb.app", "ip2p_nb.bench", "ip2p_nb.train", "ip2p_nb.datagen")


def _modules() -> dict:
    """{dotted name: path} of every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path):
    """(imported module, [imported names]) for every relative or ip2p_nb import in the module, lazy ones too."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("ip2p_nb"):
                target = node.module
            else:
                continue
            yield target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("ip2p_nb"):
                    yield a.name, []


def _edges() -> dict:
    graph = {}
    for name, path in MODULES.items():
        deps = set()
        for target, names in _imports(name, path):
            if target in MODULES:
                deps.add(target)
            deps.update(f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES)
        graph[name] = deps - {name}
    return graph


def test_every_module_opens_with_a_docstring():
    missing = [name for name, path in MODULES.items() if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert not missing


def test_no_import_cycles():
    graph = _edges()
    cycles = []

    def visit(node, stack):
        for dep in graph[node]:
            if dep in stack:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif len(stack) < 30:
                visit(dep, stack + [dep])

    for start in graph:
        visit(start, [start])
    # The package __init__ is a lazy table (import_module by name), never a static import: no edge to it counts.
    assert not [c for c in cycles if "ip2p_nb" not in c], cycles[:3]


def test_no_module_reads_another_modules_private_names():
    offences = []
    for name, path in MODULES.items():
        for target, names in _imports(name, path):
            offences += [f"{name} imports {target}.{n}" for n in names if n.startswith("_") and target != name]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # editor._lock, editor._generate ... on an object of another module
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value.id if isinstance(node.value, ast.Name) else None
                if owner in ("editor", "app", "panel", "grid", "tr", "translation"):
                    offences.append(f"{name}: {owner}.{node.attr}")
    assert not offences


def test_the_library_never_imports_the_layers_above_it():
    graph = _edges()
    library = [m for m in graph if not m.startswith(ABOVE_THE_LIBRARY) and m not in ("ip2p_nb", "ip2p_nb.__main__")]
    upward = [(m, d) for m in library for d in graph[m] if d.startswith(ABOVE_THE_LIBRARY)]
    assert not upward


# The library's parts, lowest first (docs/ARCHITECTURE.md): a part may import its own floor and those below.
# models/ and editing/ share a floor (loading uses editing.conditioning; the editor loads through models.loading).
FLOORS = [("ip2p_nb.translation",), ("ip2p_nb.models", "ip2p_nb.editing"), ("ip2p_nb.outputs",), ("ip2p_nb.serving",)]


def _floor(module: str):
    return next((i for i, parts in enumerate(FLOORS) if module.startswith(tuple(p + "." for p in parts))), None)


def test_the_parts_import_only_downward():
    graph = _edges()
    upward = [(m, d) for m in graph for d in graph[m]
              if _floor(m) is not None and _floor(d) is not None and _floor(d) > _floor(m)]
    assert not upward


def test_the_editing_loop_knows_no_feature():
    """The loop gets masks, reuse and previews as hooks: it imports none of their modules (only preview's x0 estimate)."""
    graph = _edges()
    assert graph["ip2p_nb.editing.loop"] <= {"ip2p_nb.errors", "ip2p_nb.defaults", "ip2p_nb.editing.preview", "ip2p_nb.editing.guidance"}


def test_train_and_bench_do_not_import_the_app_or_the_cli():
    graph = _edges()
    for m in graph:
        if m.startswith(("ip2p_nb.train", "ip2p_nb.bench")):
            assert not [d for d in graph[m] if d.startswith(("ip2p_nb.cli", "ip2p_nb.app"))], m


def test_public_names_resolve():
    import ip2p_nb

    for name in ip2p_nb.__all__:
        assert getattr(ip2p_nb, name) is not None, name
    for sub in ("translation", "app", "train", "bench", "datagen", "attention"):
        module = __import__(f"ip2p_nb.{sub}", fromlist=["__all__"])
        for name in module.__all__:
            assert hasattr(module, name), f"ip2p_nb.{sub}.{name}"


@pytest.mark.parametrize("notebook, allowed, least", [("ip2p_app.ipynb", {"ip2p_nb"}, 3), ("app.ipynb", {"ip2p_nb"}, 1),
                                                     ("train_your_own.ipynb", {"ip2p_nb", "ip2p_nb.train"}, 3),
                                                     ("make_pairs.ipynb", {"ip2p_nb", "ip2p_nb.datagen", "ip2p_nb.train"}, 5)])
def test_notebooks_use_only_public_names(notebook, allowed, least):
    import importlib

    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    seen = 0
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ip2p_nb"):
            assert node.module in allowed, f"{notebook} imports from {node.module}"
            public = importlib.import_module(node.module).__all__
            assert all(a.name in public for a in node.names), f"{notebook}: {[a.name for a in node.names]}"
            seen += 1
    assert seen >= least
