"""The package's shape: data flows one way through the pipeline's sub-packages, and modules stay small."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"

# Pipeline order: a module may import from its own layer and the layers before it, never after.
LAYERS = ["errors", "dependencies", "confine", "cache", "inputs", "merge", "render", "pdf", "pipeline", "meetings", "tracker",
          "preview", "scaffold", "doctor", "cli"]


def layer_of(module: str) -> int:
    """Index in LAYERS of 'reportgen.x.y'; the package root (its version) comes before everything."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    return LAYERS.index(parts[1])


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reportgen"):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports"
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("reportgen")]
    return found


def test_every_module_belongs_to_a_layer():
    for name, path in modules():
        if name != "reportgen" and name != "reportgen.__main__":
            assert name.split(".")[1] in LAYERS, f"{path} is in no layer of {LAYERS}"


def test_no_import_runs_against_the_pipeline_order():
    backwards = []
    for name, path in modules():
        if name in ("reportgen", "reportgen.__main__"):
            continue
        own = layer_of(name)
        for line, target in imports_of(path):
            if layer_of(target) > own:
                backwards.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} imports {target}")
    assert backwards == []


def test_each_module_says_its_job_and_stays_small():
    for name, path in modules():
        text = path.read_text(encoding="utf-8")
        if path.name == "__init__.py" and not text.strip():
            continue
        assert ast.get_docstring(ast.parse(text)), f"{path} has no docstring saying its job"
        assert len(text.splitlines()) <= 500, f"{path} is over 500 lines"


def test_only_the_engine_imports_weasyprint():
    importers = [path.relative_to(PACKAGE.parent).as_posix() for _, path in modules()
                 if "import weasyprint" in path.read_text(encoding="utf-8")
                 or "from weasyprint" in path.read_text(encoding="utf-8")]
    assert importers == ["reportgen/pdf/engine.py"]
