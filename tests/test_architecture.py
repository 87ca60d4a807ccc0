"""The import rules in docs/architecture.md, checked on the source."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", {"protocol", "client", "server_stub", "flet", "httpx", "sqlite3", "sqlite_utils", "fastapi"}),
        ("protocol", {"client", "server_stub", "flet", "httpx", "sqlite3", "sqlite_utils", "fastapi"}),
        ("client", {"server_stub", "fastapi"}),
        ("server_stub", {"client", "flet"}),
        ("client/state", {"flet"}),
        ("client/store", {"flet", "httpx"}),
        ("client/sync", {"flet"}),
        ("client/reports", {"flet", "httpx", "sqlite3", "sqlite_utils"}),
    ],
)
def test_layers_import_only_what_they_may(package, forbidden):
    offenders = {path: names & forbidden for path, names in imports_of(package).items() if names & forbidden}
    assert offenders == {}


def test_the_architecture_page_names_the_rules():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "tests/test_architecture.py" in text and "The path of a bed update" in text
