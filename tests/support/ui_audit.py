"""An audit of one screen as Chromium shows it: what a phone user, a keyboard user or a screen reader user trips on.

Flutter web draws on a canvas, but its semantics tree is a DOM of ``flt-semantics`` elements (role, aria-label,
text, position). ``controls_on(page)`` reads the controls from it (buttons, text fields, dropdowns, switches,
checkboxes, sliders, tabs, radios, links; never the groups and containers around them) and ``audit(controls,
viewport)`` finds, in plain Python that tests drive with synthetic boxes:

- ``clipped``: words (any text) or a control cut by the viewport's left or right edge (or by the sides of the scrolling list it is in),
  or cut at the top or bottom where nothing scrolls (a control below the fold of a scrolling list is fine);
- ``overlap``: two controls whose visible boxes overlap (neither inside the other in the tree, and not a field's
  own button such as Show password, drawn inside the field);
- ``small``: a touch target under 48x48 CSS px (``getBoundingClientRect`` is in CSS px whatever the
  devicePixelRatio: the semantics host is scaled by 1/devicePixelRatio and the rectangles follow); not one half
  scrolled out of its list, whose box Flutter cuts to the part still in the list;
- ``unnamed``: a button, field or dropdown without an accessible name of its own (an aria-label or text on the
  control itself; a name on a wrapping group does not count, the finding says what the group said);
- ``duplicate``: different buttons, fields or dropdowns with the same name on one screen.

``set_text_scale(page, 2.0)``: Flutter web follows the browser's font size (the root element's computed
font-size over 16 px, watched for changes), so 200% text is ``font-size: 32px`` on ``<html>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Roles Flutter's web engine gives to the controls a person operates.
CONTROL_ROLES = frozenset({"button", "checkbox", "switch", "slider", "tab", "radio", "link", "combobox", "menuitem"})
# Controls that need a name of their own, unique on the screen.
NAMED_KINDS = frozenset({"button", "field", "dropdown"})
TEXT = "text"  # words, not a control: only the side-cut rule applies
MIN_TARGET_PX = 48.0
TOLERANCE_PX = 0.5  # sub-pixel layout rounding
OVERLAP_PX = 1.0  # boxes that merely touch do not overlap


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersect(self, other: "Box") -> "Box | None":
        x, y = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= x or bottom <= y:
            return None
        return Box(x, y, right - x, bottom - y)

    def __str__(self) -> str:
        return f"{self.w:.0f}x{self.h:.0f} at ({self.x:.0f}, {self.y:.0f})"


@dataclass(frozen=True)
class Scroller:
    """A scrolling container around a control: its box and which ways it scrolls."""

    box: Box
    vertical: bool = True
    horizontal: bool = False


@dataclass(frozen=True)
class Control:
    key: str  # the semantics node's element id (unique on the page)
    kind: str  # "button", "field", "dropdown", "switch", "checkbox", "slider", "tab", ...
    name: str  # its own accessible name ("" when it has none)
    box: Box
    group_name: str = ""  # the label of the nearest wrapping group, if any
    identifier: str = ""  # the nearest semantics identifier (for messages)
    ancestors: tuple[str, ...] = ()  # keys of the nodes it sits inside
    scrollers: tuple[Scroller, ...] = ()
    within: Box | None = None  # words: the box of the node they sit in (a card, a row)

    def describe(self) -> str:
        said = self.name or (f"named only by its group {self.group_name!r}" if self.group_name else "nameless")
        where = f" [{self.identifier}]" if self.identifier else ""
        return f"{self.kind} {said!r}{where} {self.box}"

    def visible_box(self, viewport: Box) -> Box | None:
        """What of the control can be seen: inside the viewport and inside every scrolling list around it."""
        box: Box | None = self.box.intersect(viewport)
        for scroller in self.scrollers:
            if box is None:
                break
            box = box.intersect(scroller.box)
        return box


@dataclass(frozen=True)
class Finding:
    rule: str  # clipped, overlap, small, unnamed, duplicate
    message: str
    keys: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def audit(controls: list[Control], viewport: Box, min_target: float = MIN_TARGET_PX) -> list[Finding]:
    """Every finding on one screen (empty: nothing wrong)."""
    return [*_clipped(controls, viewport), *_overlapping(controls, viewport), *_small(controls, min_target),
            *_unnamed(controls), *_duplicated(controls)]


def _clipped(controls: list[Control], viewport: Box) -> list[Finding]:
    found = []
    for control in controls:
        box = control.box
        if control.kind == TEXT:
            # Words run off the side of the screen ("Read, not acknowledge"); a table's in a list that scrolls
            # sideways may go past it.
            sides = [viewport] + ([control.within] if control.within is not None else [])
            if not any(s.horizontal for s in control.scrollers) and any(
                    box.x < side.x - TOLERANCE_PX or box.right > side.right + TOLERANCE_PX for side in sides):
                found.append(Finding("clipped", f"text {control.name[:60]!r} {box} runs off the side of the "
                                     f"screen or of what it sits in (viewport {viewport})", (control.key,)))
            continue
        # Left and right: the viewport, and the sides of any list that scrolls only up and down.
        sides = [viewport] + [s.box for s in control.scrollers if not s.horizontal]
        cut_sideways = any(box.x < side.x - TOLERANCE_PX or box.right > side.right + TOLERANCE_PX for side in sides)
        # Top and bottom: only where nothing scrolls (a list's rows below the fold are reached by scrolling).
        scrolls_vertically = any(s.vertical for s in control.scrollers)
        cut_vertically = not scrolls_vertically and (
            box.y < viewport.y - TOLERANCE_PX or box.bottom > viewport.bottom + TOLERANCE_PX)
        if cut_sideways or cut_vertically:
            how = "sideways" if cut_sideways else "at the top or bottom where nothing scrolls"
            found.append(Finding("clipped", f"{control.describe()} is cut {how} (viewport {viewport})",
                                 (control.key,)))
    return found


def _overlapping(controls: list[Control], viewport: Box) -> list[Finding]:
    visible = [(c, c.visible_box(viewport)) for c in controls if c.kind != TEXT]
    visible = [(c, b) for c, b in visible if b is not None]
    found = []
    for i, (first, first_box) in enumerate(visible):
        for second, second_box in visible[i + 1:]:
            if first.key in second.ancestors or second.key in first.ancestors:
                continue
            if _inside_a_field(first, second) or _inside_a_field(second, first):
                continue  # a field's own button (Show password) sits inside the field
            common = first_box.intersect(second_box)
            if common is not None and common.w > OVERLAP_PX and common.h > OVERLAP_PX:
                found.append(Finding("overlap", f"{first.describe()} overlaps {second.describe()}",
                                     (first.key, second.key)))
    return found


def _inside_a_field(inner: Control, outer: Control) -> bool:
    return outer.kind == "field" and inner.kind == "button" and inner.box.intersect(outer.box) == inner.box


def _small(controls: list[Control], min_target: float) -> list[Finding]:
    return [Finding("small", f"{c.describe()} is smaller than {min_target:.0f}x{min_target:.0f} px", (c.key,))
            for c in controls
            if c.kind != TEXT and (c.box.w < min_target - TOLERANCE_PX or c.box.h < min_target - TOLERANCE_PX)
            and not _scrolled_part_out(c)]


def _scrolled_part_out(control: Control) -> bool:
    """Flutter reports a control half scrolled out of its list with the box of the part still in the list: its
    height there says nothing about its size."""
    return any(s.vertical and (abs(control.box.y - s.box.y) <= OVERLAP_PX
                               or abs(control.box.bottom - s.box.bottom) <= OVERLAP_PX)
               for s in control.scrollers)


def _unnamed(controls: list[Control]) -> list[Finding]:
    return [Finding("unnamed", f"{c.describe()} has no accessible name of its own", (c.key,))
            for c in controls if c.kind in NAMED_KINDS and not c.name.strip()]


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def _duplicated(controls: list[Control]) -> list[Finding]:
    by_name: dict[str, list[Control]] = {}
    for control in controls:
        if control.kind in NAMED_KINDS and control.name.strip():
            by_name.setdefault(_normalised(control.name), []).append(control)
    return [Finding("duplicate", f"{len(same)} different controls are all called {same[0].name!r}: "
                    + "; ".join(c.describe() for c in same), tuple(c.key for c in same))
            for same in by_name.values() if len(same) > 1]


# -- reading the screen from Chromium ------------------------------------------------------------------------

_READ_CONTROLS = """(roles) => {
  const rect = e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const ownText = e => [...e.childNodes].filter(c => c.nodeType === 3).map(c => c.textContent).join(' ').trim();
  const controls = [];
  for (const node of document.querySelectorAll('flt-semantics')) {
    const input = node.querySelector(':scope > input, :scope > textarea');
    const role = node.getAttribute('role');
    let kind = null, name = '';
    if (input) {
      kind = 'field';
      name = (input.getAttribute('aria-label') || '').trim();
    } else if (role && roles.includes(role)) {
      kind = role === 'combobox' || node.hasAttribute('aria-expanded') ? 'dropdown' : role;
      name = (node.getAttribute('aria-label') || '').trim() || ownText(node);
    } else if (!node.querySelector('flt-semantics') && node.textContent.trim()) {
      kind = 'text';  // words on the screen: checked only for being cut off at the sides
      name = node.textContent.trim();
    } else {
      continue;
    }
    const r = rect(node);
    if (r.w === 0 || r.h === 0) continue;
    const ancestors = [], scrollers = [];
    let groupName = '', identifier = node.getAttribute('flt-semantics-identifier') || '';
    for (let up = node.parentElement; up && up.tagName === 'FLT-SEMANTICS'; up = up.parentElement) {
      ancestors.push(up.id);
      if (!identifier) identifier = up.getAttribute('flt-semantics-identifier') || '';
      if (!groupName) groupName = (up.getAttribute('aria-label') || '').trim();
      const style = up.style;
      const vertical = style.overflowY === 'scroll', horizontal = style.overflowX === 'scroll';
      if (vertical || horizontal) scrollers.push({box: rect(up), vertical, horizontal});
    }
    const up = node.parentElement, within = kind === 'text' && up && up.tagName === 'FLT-SEMANTICS' ? rect(up) : null;
    controls.push({key: node.id, kind, name, box: r, groupName, identifier, ancestors, scrollers,
                   within: within && within.w > 0 && within.h > 0 ? within : null});
  }
  return controls;
}"""


def controls_on(page) -> list[Control]:
    """The controls of the screen a FletPage (or a bare Playwright page) shows, from Flutter's semantics DOM."""
    raw = _playwright_page(page).evaluate(_READ_CONTROLS, sorted(CONTROL_ROLES))
    return [Control(key=c["key"], kind=c["kind"], name=c["name"], box=Box(**c["box"]), group_name=c["groupName"],
                    identifier=c["identifier"], ancestors=tuple(c["ancestors"]),
                    scrollers=tuple(Scroller(Box(**s["box"]), s["vertical"], s["horizontal"])
                                    for s in c["scrollers"]),
                    within=Box(**c["within"]) if c.get("within") else None)
            for c in raw]


def viewport_of(page) -> Box:
    size = _playwright_page(page).viewport_size
    return Box(0, 0, size["width"], size["height"])


def audit_page(page) -> list[Finding]:
    """Every finding on the screen the page shows now."""
    return audit(controls_on(page), viewport_of(page))


def set_text_scale(page, scale: float) -> None:
    """Make the browser's text ``scale`` times its default size (16 px); Flutter re-lays out the screen."""
    _playwright_page(page).evaluate(f"document.documentElement.style.fontSize = '{16 * scale:g}px'")


def text_scale(page) -> float:
    """The text scale the browser asks of Flutter (the root element's font size over 16 px)."""
    size = _playwright_page(page).evaluate("getComputedStyle(document.documentElement).fontSize")
    return float(size.removesuffix("px")) / 16


def text_height(page, text: str) -> float:
    """The height of the semantics node showing ``text`` (to prove a text scale took effect)."""
    return _playwright_page(page).evaluate(
        """(text) => { const own = e => [...e.childNodes].filter(c => c.nodeType === 3 || c.tagName === 'SPAN')
             .map(c => c.textContent).join('').trim();
           const node = [...document.querySelectorAll('flt-semantics')].find(e => own(e) === text);
           return node ? node.getBoundingClientRect().height : 0; }""", text)


def _playwright_page(page):
    return getattr(page, "page", page)
