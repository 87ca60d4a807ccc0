"""The order xdist hands modules out in (tests/support/scheduling.py): the longest first, so that a module of one
long test no longer starts last and runs alone while the other worker waits."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

import dev
from tests.support.scheduling import longest_scopes_first


@dataclass
class FakeItem:
    nodeid: str
    marks: dict[str, pytest.Mark] = field(default_factory=dict)

    def get_closest_marker(self, name: str):
        return self.marks.get(name)


def _mark(name: str, *args) -> dict[str, pytest.Mark]:
    return {name: getattr(pytest.mark, name)(*args).mark}


def test_a_module_of_one_long_test_goes_before_a_module_of_many_short_ones():
    items = [FakeItem(f"tests/test_many.py::test_{n}") for n in range(50)]
    items += [FakeItem("tests/test_walk.py::test_b", _mark("browser")),
              FakeItem("tests/test_walk.py::test_a", _mark("browser"))]
    items += [FakeItem("tests/test_property.py::test_converge", _mark("timeout", 280))]
    items += [FakeItem("tests/test_server.py::test_one", _mark("slow"))]
    longest_scopes_first(items, default_budget=120)
    modules = list(dict.fromkeys(item.nodeid.split("::")[0] for item in items))
    assert modules == ["tests/test_property.py", "tests/test_walk.py", "tests/test_server.py", "tests/test_many.py"]
    # Inside a module the tests keep the order they were written in (fixtures shared by a module rely on it).
    assert [item.nodeid for item in items[1:3]] == ["tests/test_walk.py::test_b", "tests/test_walk.py::test_a"]


def test_a_timeout_mark_at_the_default_budget_says_nothing_about_length():
    items = [FakeItem("tests/test_a.py::test_x", _mark("timeout", 120)),
             FakeItem("tests/test_b.py::test_y", _mark("slow"))]
    longest_scopes_first(items, default_budget=120)
    assert [item.nodeid for item in items] == ["tests/test_b.py::test_y", "tests/test_a.py::test_x"]


def test_the_whole_suite_keeps_that_order_in_xdist(monkeypatch):
    """Without --no-loadscope-reorder xdist sorts modules by their number of tests, undoing the order above."""
    ran = []
    for step in ("ensure_venv", "ensure_chromium", "ensure_postgresql", "ensure_poppler"):
        monkeypatch.setattr(dev, step, lambda: None)
    monkeypatch.setattr(dev.subprocess, "run", lambda command, cwd: ran.append(command) or type("R", (), {"returncode": 0}))
    assert dev.test([]) == 0
    assert {"--dist", "loadscope", "--no-loadscope-reorder"} <= set(ran[0])
