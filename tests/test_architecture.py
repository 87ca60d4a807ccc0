"""The rules in docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
import functools
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def sources(package: str) -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text()) for path in sorted((ROOT / package).rglob("*.py"))}


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module a file imports, by its full dotted name (``from a.b import c`` counts ``a.b`` and ``a.b.c``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def imports_of(package: str) -> dict[str, set[str]]:
    return {path: top_level(imported_modules(tree)) for path, tree in sources(package).items()}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", {"protocol", "client", "server_stub", "assets", "flet", "httpx", "sqlite3", "sqlite_utils",
                    "fastapi", "sqlalchemy"}),
        ("protocol", {"client", "server_stub", "assets", "flet", "httpx", "sqlite3", "sqlite_utils", "fastapi",
                      "sqlalchemy"}),
        ("client", {"server_stub", "fastapi", "sqlalchemy", "alembic"}),
        ("server_stub", {"client", "flet", "assets", "sqlite_utils"}),
        ("client/state", {"flet"}),
        ("client/store", {"flet", "httpx"}),
        ("client/sync", {"flet"}),
        ("client/reports", {"flet", "httpx", "sqlite3", "sqlite_utils"}),
        ("server_stub/services", {"fastapi", "starlette"}),
        ("server_stub/routers", {"sqlalchemy", "sqlite3", "psycopg", "alembic"}),
    ],
)
def test_layers_import_only_what_they_may(package, forbidden):
    offenders = {path: names & forbidden for path, names in imports_of(package).items() if names & forbidden}
    assert offenders == {}


def test_assets_is_data_with_a_standard_library_lookup():
    allowed = {"__future__", "importlib", "pathlib"}
    assert {path: names - allowed for path, names in imports_of("assets").items() if names - allowed} == {}


# --- the central API: routers -> services -> repositories -> schema/db --------------------------------------

REPOSITORIES = {"repository", "account_repository", "area_repository", "directory_repository", "alerts_repository",
                "supplier_repository"}
PERSISTENCE = {"server_stub/db.py", "server_stub/schema.py", *(f"server_stub/{name}.py" for name in REPOSITORIES)}


def test_only_the_persistence_modules_speak_to_the_database():
    drivers = {"sqlalchemy", "alembic", "sqlite3", "psycopg"}
    offenders = {
        path: names & drivers for path, names in imports_of("server_stub").items()
        if names & drivers and path not in PERSISTENCE and not path.startswith("server_stub/migrations/")
    }
    assert offenders == {}


def test_routers_run_no_sql():
    """A router parses the request and calls a service; the service holds the rules and the transaction."""
    persistence_modules = {*(f"server_stub.{name}" for name in REPOSITORIES), "server_stub.db", "server_stub.schema"}
    offenders = {}
    for path, tree in sources("server_stub/routers").items():
        found = imported_modules(tree) & persistence_modules
        found |= {f".{node.attr}()" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in {"execute", "executemany", "exec_driver_sql"}}
        if found:
            offenders[path] = found
    assert offenders == {}


# --- wire bodies live in protocol -------------------------------------------------------------------------------

def test_only_protocol_and_domain_define_pydantic_models():
    """Every body that crosses the wire is defined once, in protocol (records' data in domain), for both sides."""
    offenders = {}
    for package in ("client", "server_stub"):
        for path, tree in sources(package).items():
            classes = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                       and any(getattr(base, "id", getattr(base, "attr", None)) in {"BaseModel", "RootModel"}
                               for base in node.bases)]
            if classes:
                offenders[path] = classes
    assert offenders == {}


def _models_in(annotation) -> list[type]:
    if isinstance(annotation, type):
        return [annotation] if issubclass(annotation, BaseModel) else []
    return [model for argument in typing.get_args(annotation) for model in _models_in(argument)]


def test_every_body_the_central_api_answers_or_takes_comes_from_protocol():
    import importlib

    from fastapi.routing import APIRoute

    models = set()
    for path in sorted((ROOT / "server_stub" / "routers").glob("[!_]*.py")):
        router = importlib.import_module(f"server_stub.routers.{path.stem}").router
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            models.update(_models_in(route.response_model))
            models.update(model for answer in route.responses.values() for model in _models_in(answer.get("model")))
            if route.body_field is not None:
                models.update(_models_in(route.body_field.field_info.annotation))
    assert len(models) > 5, "the routes declare their bodies"
    assert {model.__qualname__: model.__module__ for model in models
            if not model.__module__.startswith(("protocol.", "domain."))} == {}


# --- the domain takes its time from the caller --------------------------------------------------------------------

CLOCK_CALLS = {"today", "now", "utcnow", "fromtimestamp", "utcfromtimestamp"}


def _clock_reads(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"import {name}" for name in modules if name.split(".")[0] == "time"]
        elif isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS:
            owner = node.value
            owner_name = getattr(owner, "id", None) or getattr(owner, "attr", None)
            if owner_name in {"date", "datetime"}:
                found.append(f"{owner_name}.{node.attr} (line {node.lineno})")
    return found


def test_the_domain_calls_no_clock_of_its_own():
    """The domain is given 'now' or 'today' (tests pass any day they like); it never reads the machine's clock."""
    offenders = {path: found for path, tree in sources("domain").items() if (found := _clock_reads(tree))}
    assert offenders == {}


def test_the_clock_check_finds_a_clock_read():
    assert _clock_reads(ast.parse("from datetime import date\nx = date.today()\n")) == ["date.today (line 2)"]
    assert _clock_reads(ast.parse("import datetime\nf = datetime.datetime.now\n")) == ["datetime.now (line 2)"]
    assert _clock_reads(ast.parse("import time\n")) == ["import time"]


# --- the screens: a button grows with its text ------------------------------------------------------------------


def _fixed_height_buttons(tree: ast.Module) -> list[str]:
    """Buttons made with a fixed ``height``: at 200% text their words are cut (the theme's padding already makes
    every button at least 48 px tall, and taller when its text needs it)."""
    return [f"{ast.unparse(node.func)} (line {node.lineno})" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and "height" in (keywords := {k.arg for k in node.keywords})
            and (ast.unparse(node.func).endswith("Button") or "on_click" in keywords)]


def test_no_screen_gives_a_button_a_fixed_height():
    offenders = {path: found for path, tree in sources("client").items() if (found := _fixed_height_buttons(tree))}
    assert offenders == {}


def test_the_button_height_check_finds_one():
    assert _fixed_height_buttons(ast.parse('ft.FilledButton("Save", height=48)\nft.Button("Go")\n')) == [
        "ft.FilledButton (line 1)"]
    # A button whose kind is chosen at run time: a tappable control of fixed height.
    assert _fixed_height_buttons(ast.parse('kind("Open", height=48, on_click=f)\nft.Container(height=4)\n')) == [
        "kind (line 1)"]


# --- the device: screens take the store, the engine takes the sync half -------------------------------------------

SYNC_HALF = {"client.store.sync_applier", "client.store.SyncApplier", "client.store.sync_applier.SyncApplier"}
MAY_TAKE_THE_SYNC_HALF = {"client/sync/engine.py", "client/store/__init__.py", "client/context.py"}


def test_the_stores_sync_half_is_used_only_by_the_engine():
    offenders = {path: imported_modules(tree) & SYNC_HALF for path, tree in sources("client").items()
                 if imported_modules(tree) & SYNC_HALF and path not in MAY_TAKE_THE_SYNC_HALF}
    assert offenders == {}
    # Only the composition root opens the device's store and hands its sync half to the engine.
    openers = {path for path, tree in sources("client").items()
               if any(isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                      == "open_device_store" for node in ast.walk(tree))}
    assert openers == {"client/context.py"}


def test_the_architecture_page_names_the_rules():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "tests/test_architecture.py" in text and "The path of a bed update" in text


def test_one_composition_root_builds_the_devices_parts():
    """Keys, token stores and ciphers are made only where a device is put together (no hidden singletons)."""
    built_only_there = {"DataCipher", "SealedTokenFile", "CredentialStore", "SyncEngine", "SessionManager"}
    offenders = {}
    for path, tree in sources("client").items():
        if path == "client/context.py":
            continue
        calls = {getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                 for node in ast.walk(tree) if isinstance(node, ast.Call)}
        if calls & built_only_there:
            offenders[path] = calls & built_only_there
    assert offenders == {}


def test_every_central_api_refuses_unfit_values_and_sends_the_security_headers(tmp_path):
    from server_stub.app import create_app
    from server_stub.middleware import RefuseUnfitValues, SecurityHeaders
    from server_stub.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'central.sqlite3'}", seed_demo=False))
    assert {RefuseUnfitValues, SecurityHeaders} <= {middleware.cls for middleware in app.user_middleware}
