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
        "pipeline.py",
        "model/calendars.py",
        "checks/calendars.py",
    }


MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def test_no_module_keeps_mutable_state() -> None:
    """Module-level dicts, lists and sets are only constant tables written in capitals
    (ALL_RULES, SITES), never caches or registries that builds fill."""
    offenders = []
    for path in modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign) and isinstance(node.value, MUTABLE):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and isinstance(node.value, MUTABLE):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and not target.id.strip("_").isupper() and target.id != "__all__":
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {target.id}")
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
