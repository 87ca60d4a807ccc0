"""The layout walk of issue 13 acceptance 1: a screen audited (tests/support/ui_audit.py) at 390x844, 1366x768,
820x1180 and 390x844 at 200% text, and on a screen with a way on (navigation, Back, Sign out) those controls in
view without scrolling, at the top and once the screen is scrolled to its end.

One browser page per walk, resized (and its text scaled) in place. With ``CHC_WALK_SCREENSHOTS=<folder>`` each
screen at each size is kept as a PNG (and, where it scrolls, as it shows at its end): the audit checks boxes; a
person looks at the pictures for cut words, text over text, contrast and the focus ring.
"""

from __future__ import annotations

import os
import re

from tests.support.flet_ui import FletPage
from tests.support.timing import scaled_ms
from tests.support.ui_audit import audit_page, set_text_scale, text_height, text_scale

# (what it is, width, height, text scale); the walk goes on at the first (a phone).
CONFIGURATIONS = [("phone", 390, 844, 1.0), ("desktop", 1366, 768, 1.0), ("tablet", 820, 1180, 1.0),
                  ("phone at 200% text", 390, 844, 2.0)]
PHONE = CONFIGURATIONS[0]
SCROLL_TO_THE_END = 50_000  # px of mouse wheel: past the end of any screen

_LAYOUT_SNAPSHOT = """() => { const w = window.innerWidth;
  return JSON.stringify([w, ...[...document.querySelectorAll('flt-semantics')].map(e => {
    const r = e.getBoundingClientRect();
    return [e.id, r.x, r.y, r.width, r.height, e.getAttribute('aria-label'), e.style.overflowY]; })]); }"""


_BIGGEST_SCROLLER_CENTRE = """() => { let best = null, area = 0;
  for (const e of document.querySelectorAll('flt-semantics')) {
    if (e.style.overflowY !== 'scroll') continue;
    const r = e.getBoundingClientRect(), x0 = Math.max(r.left, 0), y0 = Math.max(r.top, 0),
          x1 = Math.min(r.right, innerWidth), y1 = Math.min(r.bottom, innerHeight), a = (x1 - x0) * (y1 - y0);
    if (x1 > x0 && y1 > y0 && a > area) { area = a; best = [(x0 + x1) / 2, (y0 + y1) / 2]; } }
  return best; }"""


def wait_steady(fp: FletPage, timeout: float = 10_000) -> None:
    """Wait until Flutter has laid the screen out for the current size and text scale: the root semantics node
    spans the window and three looks at the tree (boxes, names, which lists scroll) a moment apart agree."""
    page = fp.page
    deadline = page.evaluate("Date.now()") + scaled_ms(timeout)
    looks: list[str] = []
    while page.evaluate("Date.now()") < deadline:
        width_ok = page.evaluate("() => { const n = document.querySelector('flt-semantics');"
                                 " return !!n && Math.abs(n.getBoundingClientRect().width - window.innerWidth) < 1; }")
        looks = [*looks[-2:], page.evaluate(_LAYOUT_SNAPSHOT)]
        if width_ok and len(looks) == 3 and len(set(looks)) == 1:
            return
        page.wait_for_timeout(200)
    raise AssertionError("the screen never settled after a resize")


def configure(fp: FletPage, configuration) -> None:
    _, width, height, scale = configuration
    fp.page.set_viewport_size({"width": width, "height": height})
    if text_scale(fp) != scale:
        set_text_scale(fp, scale)
    wait_steady(fp)


class Walk:
    """Audits each screen visited at every configuration, collecting what is wrong (reported all at once)."""

    def __init__(self, fp: FletPage, role: str) -> None:
        self.fp, self.role = fp, role
        self.problems: list[str] = []
        self.screens: list[str] = []

    def audit(self, screen: str, reachable: tuple[str, ...] = ()) -> None:
        """Audit the screen shown now; ``reachable``: identifiers of its way on, to be in view without scrolling."""
        self.screens.append(screen)
        for configuration in CONFIGURATIONS:
            configure(self.fp, configuration)
            where = f"{self.role} / {screen} / {configuration[0]}"
            self.problems += [f"{where}: {finding}" for finding in self._stable_findings()]
            self._screenshot(screen, configuration[0])
            if reachable:
                self._check_in_view(where, reachable, configuration, "at the top")
                self._scroll(configuration, SCROLL_TO_THE_END)
                self._check_in_view(where, reachable, configuration, "scrolled to the end")
                self._screenshot(screen, f"{configuration[0]} end")
                self._scroll(configuration, -SCROLL_TO_THE_END)
        configure(self.fp, PHONE)  # the walk itself goes on at phone size

    def _stable_findings(self) -> list:
        findings = audit_page(self.fp)
        # Flutter's semantics tree can lag a resize (a list not yet marked as scrolling): look again before
        # reporting, until the findings are stable.
        for _ in range(3):
            if not findings:
                break
            self.fp.page.wait_for_timeout(700)
            wait_steady(self.fp)
            findings, before = audit_page(self.fp), findings
            if [str(f) for f in findings] == [str(f) for f in before]:
                break
        return findings

    def _scroll(self, configuration, pixels: int) -> None:
        """Turn the mouse wheel over the screen's biggest scrolling list (at 200% text on a phone a fixed point
        can fall on the pinned status line, and nothing would scroll)."""
        x, y = self.fp.page.evaluate(_BIGGEST_SCROLLER_CENTRE) or (configuration[1] / 2, configuration[2] / 2)
        self.fp.page.mouse.move(x, y)
        self.fp.page.mouse.wheel(0, pixels)
        wait_steady(self.fp)

    def _check_in_view(self, where: str, reachable: tuple[str, ...], configuration, how: str) -> None:
        width, height = configuration[1], configuration[2]
        for identifier in reachable:
            # Flutter leaves a control scrolled far out of view out of the tree: not there is out of view (no wait).
            node = self.fp.by_id(identifier)
            box = node.first.bounding_box() if node.count() else None
            if (box is None or box["y"] < -0.5 or box["x"] < -0.5 or box["y"] + box["height"] > height + 0.5
                    or box["x"] + box["width"] > width + 0.5):
                self.problems.append(f"{where}: {identifier} is out of view {how} ({box})")

    def _screenshot(self, screen: str, configuration: str) -> None:
        folder = os.environ.get("CHC_WALK_SCREENSHOTS")
        if folder:
            name = re.sub(r"[^a-z0-9]+", "-", f"{self.role} {screen} {configuration}".lower()).strip("-")
            self.fp.page.screenshot(path=os.path.join(folder, f"{name}.png"))

    def check(self) -> None:
        assert not self.problems, f"{len(self.problems)} findings:\n" + "\n".join(self.problems)


def assert_200_percent_text_takes_effect(phone: FletPage) -> None:
    """The way the walk scales text really makes Flutter draw text twice as big (on the sign-in screen)."""
    wait_steady(phone)
    before = text_height(phone, "Care Home Connect")
    set_text_scale(phone, 2.0)
    wait_steady(phone)
    assert text_scale(phone) == 2.0
    assert before > 0 and text_height(phone, "Care Home Connect") >= 1.8 * before
