"""The shape ARCHITECTURE.md promises: imports go down the pipeline, lazy imports are
few and say why, and no module keeps state between builds."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from site_helpers import REPO

PACKAGE = REPO / "scripts" / "decision_paths"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=REPO, capture_output=True, encoding="utf-8", timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def lazy_imports() -> list[tuple[str, int, str]]:
    """(module, line, reason) for each import inside a function; the reason is the comment
    on the import's line or on the line above its block of imports ('' when none)."""
    found = []
    for path in modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    number = inner.lineno
                    reason = lines[number - 1].partition("#")[2].strip()
                    above = number - 2
                    while not reason and above >= 0 and lines[above].strip().startswith(("from ", "import ")):
                        above -= 1
                    if not reason and above >= 0 and lines[above].strip().startswith("#"):
                        reason = lines[above].strip().lstrip("# ")
                    found.append((str(path.relative_to(PACKAGE)), number, reason))
    return found


def test_every_import_inside_a_function_says_why() -> None:
    found = lazy_imports()
    assert [f for f in found if not f[2]] == []
    # They are there to keep the quick commands quick; a new one needs a reason and a look.
    assert {module for module, _, _ in found} <= {
        "cli/commands.py",
        "cli/record_commands.py",
        "load/sources.py",
        "pipeline/sites.py",
        "store/cache.py",
        "model/calendars.py",
        "checks/calendars.py",
    }


MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "clear", "remove", "discard"}


def test_no_module_keeps_state_between_builds() -> None:
    """Module-level tables (ALL_RULES, SITES, words) are constants: no function writes to a
    module-level name (no `global`, no item assignment, no append/update/...), so nothing
    lives on from one build to the next outside the build cache."""
    offenders = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            local = {a.arg for a in function.args.args + function.args.kwonlyargs}
            for node in ast.walk(function):
                where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Global):
                    offenders.append(f"{where} global {', '.join(node.names)}")
                elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                    if isinstance(node.value, ast.Name) and node.value.id in module_names - local:
                        offenders.append(f"{where} {node.value.id}[...] =")
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    owner = node.func.value
                    if isinstance(owner, ast.Name) and owner.id in module_names - local and node.func.attr in MUTATORS:
                        offenders.append(f"{where} {owner.id}.{node.func.attr}()")
    assert offenders == []


def test_nothing_in_the_package_sets_the_process_environment() -> None:
    offenders = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            stored = isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del)
            if stored and "os.environ" in ast.unparse(node):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.setdefault", "os.putenv"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
