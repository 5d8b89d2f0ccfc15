"""Which lanes a test belongs to, read from where it lives and what its module imports.

tests/conftest.py applies these as pytest markers, so a new test module is classified without being
listed anywhere: importing `ml.train`, or any project module that imports TensorFlow or Keras when it
loads (followed through the project's own top-level imports), makes it `training`; importing
`ops.server` makes it `server`. `make test-fast` leaves out `training`, `browser`, `server` and `slow`;
`make test-postgres` runs `db`. Sources are parsed, never imported, each once per run.
"""
import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Importing these (or a submodule) loads TensorFlow; so does a project module that imports them on load.
TENSORFLOW = ("tensorflow", "keras")
# ml modules that train, fine-tune or export a model; some import TensorFlow only when called, which
# the load-time scan (loads_tensorflow) cannot see.
TRAINING_IMPORTS = ("ml.train", "ml.training", "ml.finetune", "ml.augment", "ml.export", "ml.model",
                    "ml.numbers.train_lines", "ml.numbers.line_model")
# Modules that train through `call_command("train"/"retrain")` (paths from the repository root); a
# module that only runs `retrain --dry-run` or `list_models` is not training, so commands are not scanned.
TRAINING_MODULES = frozenset({"tests/recognizer/test_retrain.py", "tests/recognizer/test_train_command.py"})
# Importing any of these means the module starts a real server process.
SERVER_IMPORTS = ("gunicorn", "ops.server", "ops.serve_prod", "ops.loadtest")
# Modules that start Django processes without importing the above (paths from the repository root).
SERVER_MODULES = frozenset({"tests/recognizer/test_settings.py"})
BROWSER_DIR = "tests/browser/"
# Modules whose tests each take more than ~5 s: every test here runs the shipped model over thousands of
# MNIST images (14-55 s each with `pytest --durations=40`). A single slow test says `@pytest.mark.slow`.
SLOW_MODULES = frozenset({"tests/ml/test_shipped_model.py"})
# Fixtures that open this pass's database; the transitive ones (admin_client → db) are in
# `item.fixturenames` too, but `client` and `live_server` reach the database without requesting `db`.
DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_setup", "live_server",
    "client", "async_client", "admin_client", "django_user_model",
})


@dataclass(frozen=True)
class ModuleFacts:
    """What a test module's source says about it."""

    imports: frozenset[str]  # anywhere in the module; `from ml import train` gives "ml" and "ml.train"
    loads_tensorflow: bool  # one of those imports brings in TensorFlow (see loads_tensorflow)
    reads_database_settings: bool  # settings.DATABASES: it runs against this pass's database engine


def lane_markers(item: pytest.Item) -> list[str]:
    """The marker names `item` should carry, in a stable order."""
    path = item.path.relative_to(item.config.rootpath).as_posix()
    facts = module_facts(item.path)
    lanes = {
        "training": path in TRAINING_MODULES or facts.loads_tensorflow or _imports_any(facts.imports, TRAINING_IMPORTS),
        "browser": path.startswith(BROWSER_DIR),
        "server": _imports_any(facts.imports, SERVER_IMPORTS) or path in SERVER_MODULES,
        "slow": path in SLOW_MODULES,
        "db": uses_database(item) or facts.reads_database_settings,
    }
    return [name for name, applies in lanes.items() if applies]


def uses_database(item: pytest.Item) -> bool:
    """True for tests pytest-django gives a database: the django_db mark or a database fixture."""
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or not DATABASE_FIXTURES.isdisjoint(fixtures)


def loads_tensorflow(imports: frozenset[str]) -> bool:
    """True if importing any of `imports` loads TensorFlow, through the project's top-level imports."""
    seen: set[Path] = set()
    pending = list(imports)
    while pending:
        name = pending.pop()
        if _imports_any(frozenset({name}), TENSORFLOW):
            return True
        path = _project_file(name)
        if path and path not in seen:
            seen.add(path)
            pending.extend(_imports_on_load(path))
    return False


@cache
def module_facts(path: Path) -> ModuleFacts:
    """Parses the test module at `path` once (imports anywhere in it, since tests import lazily too);
    a non-Python item (a doctest file, say) has no facts."""
    if path.suffix != ".py":
        return ModuleFacts(frozenset(), False, False)
    tree = _parse(path)
    imports = _imported_names(ast.walk(tree))
    reads_databases = any(isinstance(node, ast.Attribute) and node.attr == "DATABASES" for node in ast.walk(tree))
    return ModuleFacts(imports, loads_tensorflow(imports), reads_databases)


@cache
def _imports_on_load(path: Path) -> frozenset[str]:
    """What a project module imports when it is loaded: not what its functions import when called."""
    return _imported_names(_nodes_run_on_load(_parse(path)))


def _nodes_run_on_load(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield child
            yield from _nodes_run_on_load(child)


def _imported_names(nodes: Iterable[ast.AST]) -> frozenset[str]:
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(names)


def _project_file(module: str) -> Path | None:
    """The repository's source file for a dotted module name, or None (third-party, or not a module)."""
    base = REPO.joinpath(*module.split("."))
    return next((path for path in (base.with_suffix(".py"), base / "__init__.py") if path.is_file()), None)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports_any(imports: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in imports for prefix in prefixes)
