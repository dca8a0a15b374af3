"""The module map's rules (docs/architecture.md): the import-linter contracts in
pyproject.toml hold, they catch a forbidden import, and no module imports itself back."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (a fixed tool, no arguments from outside)
        [LINT_IMPORTS, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_view_that_imports_a_task_module_breaks_the_contracts(tmp_path):
    shutil.copytree(ROOT / "initiatives", tmp_path / "initiatives")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    views = tmp_path / "initiatives" / "portfolio" / "views.py"
    views.write_text(views.read_text() + "\nfrom initiatives.outbox import tasks  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "Views and API modules never import a task module BROKEN" in result.stdout
    assert "initiatives.portfolio.views -> initiatives.outbox.tasks" in result.stdout
    assert "Nothing imports a task module" in result.stdout


def test_the_initiatives_package_has_no_import_cycle():
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("initiatives", exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    cycles = [
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    ]
    assert cycles == []
