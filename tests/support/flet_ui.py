"""Driving the real Flet UI in headless Chromium (see shared/flet-notes.md).

Flutter draws on a canvas; its accessibility tree appears once the hidden
placeholder is clicked. Controls the tests need carry semantics identifiers.
Timeouts (milliseconds, as Playwright counts) are for an idle machine and are
stretched by tests/support/timing.py here; tests pass them unscaled.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.timing import scaled_ms

# Where the app keeps a browser's secret: Flet's SharedPreferences is localStorage, "flutter."-prefixed, JSON values.
BROWSER_SECRET_ITEM = "flutter.carehome-connect.browser"

PLAYWRIGHT_TIMEOUT_MS = 30_000  # Playwright's own default, for an idle machine

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def chromium_path() -> str | None:
    # Debian's build: no browser is ever downloaded.
    for candidate in (os.environ.get("CHC_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@contextmanager
def open_tab(browser, width: int, height: int) -> Iterator["FletPage"]:
    """A tab of its own browser context (a browser of its own: its own storage, so its own device in web mode)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(scaled_ms(PLAYWRIGHT_TIMEOUT_MS))
    try:
        yield FletPage(context.new_page())
    finally:
        context.close()


class FletPage:
    """A Playwright page showing the app, counting the user's taps."""

    def __init__(self, page) -> None:
        self.page = page
        self.taps = 0

    def open(self, url: str) -> None:
        self.page.goto(url)
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=scaled_ms(30_000))
        placeholder.evaluate("e => e.click()")

    def browser_secret(self) -> str | None:
        """The secret this browser keeps for the app (set on its first sign-in)."""
        stored = self.page.evaluate(f"localStorage.getItem('{BROWSER_SECRET_ITEM}')")
        return json.loads(stored) if stored else None

    def give_browser_secret(self, secret: str) -> None:
        """Make this browser one that signed in before (its folder made by the test), before it opens the app."""
        item, value = json.dumps(BROWSER_SECRET_ITEM), json.dumps(json.dumps(secret))
        self.page.context.add_init_script(f"if (!localStorage.getItem({item})) localStorage.setItem({item}, {value});")

    def by_id(self, identifier: str):
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def tap_id(self, identifier: str) -> None:
        self.by_id(identifier).first.click()
        self.taps += 1

    def wait_enabled(self, identifier: str, timeout: float = 10_000) -> None:
        """Wait until the app has enabled a button (a fast test can tap before the screen caught up)."""
        timeout = scaled_ms(timeout)
        button = self.by_id(identifier).get_by_role("button")
        self.page.wait_for_function(
            "el => el.getAttribute('aria-disabled') !== 'true'", arg=button.element_handle(timeout=timeout),
            timeout=timeout)

    def tap_button(self, name: str) -> None:
        self.page.get_by_role("button", name=name).click()
        self.taps += 1

    def fill(self, label: str, text: str) -> None:
        self.type_into(self.page.get_by_label(label, exact=True).first, text)

    def type_into(self, field, text: str) -> None:
        # Key by key: Flutter's text input misses a bulk fill now and then.
        field.click()
        self.page.wait_for_timeout(100)
        field.press("Control+a")
        field.press("Backspace")
        field.press_sequentially(text, delay=5)

    def type_in(self, identifier: str, text: str) -> None:
        """Type into the text field that carries ``identifier``."""
        self.type_into(self.by_id(identifier).locator("input").first, text)

    def wait_text(self, text: str, timeout: float = 15_000) -> None:
        self.page.get_by_text(text).first.wait_for(timeout=scaled_ms(timeout))

    def text_of(self, identifier: str) -> str:
        """What a control says: its text, or its semantics label when Flutter merged the text into it."""
        node = self.by_id(identifier).first
        return node.inner_text() or node.get_attribute("aria-label") or ""

    def wait_id_text(self, identifier: str, fragment: str, timeout: float = 15_000) -> str:
        deadline = self.page.evaluate("Date.now()") + scaled_ms(timeout)
        text = ""
        while self.page.evaluate("Date.now()") < deadline:
            if self.by_id(identifier).count():
                text = self.text_of(identifier)
                if fragment in text:
                    return text
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{identifier} never said {fragment!r} (last: {text!r})")

    def sign_in(self, server_url: str | None, username: str, password: str, until: str = "bed-confirm") -> None:
        """Sign in; server_url None keeps the address the app was started with; waits for the control `until`."""
        self.page.get_by_label("User name", exact=True).wait_for(timeout=scaled_ms(20_000))
        if server_url is not None:
            self.fill("Server address", server_url)
        self.fill("User name", username)
        self.fill("Password", password)
        self.page.get_by_role("button", name="Sign in").click()
        try:
            self.by_id(until).first.wait_for(timeout=scaled_ms(20_000))
        except Exception as exc:  # Playwright's timeout: say what the screen shows instead (a refusal, say)
            raise AssertionError(f"signed in as {username}, {until} never showed; the screen says: "
                                 f"{self.words_on_screen()}") from exc

    def words_on_screen(self) -> list[str]:
        """What the screen says, as Flutter's semantics tree has it: each node's label or text, in order; a text
        field as its label and what was typed into it (Flutter fills in the browser's copy of a field only once it
        was typed into)."""
        return self.page.evaluate("""() => [...document.querySelectorAll('flt-semantics, flt-semantics input')]
            .map(e => e.tagName === 'INPUT' ? `${e.getAttribute('aria-label')}: "${e.value}"`
                 : e.getAttribute('aria-label') || (e.querySelector('flt-semantics') ? '' : e.textContent))
            .map(t => (t || '').trim()).filter(t => t)""")

    def keep_artifacts(self, directory: Path, test_name: str, device: str) -> None:
        """A failing test's screenshot of what the user would have seen."""
        try:
            self.page.screenshot(path=str(directory / f"{test_name}-{device}.png"))
        except Exception:  # noqa: BLE001 - the browser may be gone
            pass

    def open_document(self, identifier: str) -> tuple[dict[str, str], bytes]:
        """Tap a control that opens a document; the headers and bytes the app's one-time link answered (in the
        tab it opened)."""
        answers: list[tuple[dict[str, str], bytes]] = []

        def keep(route):
            response = route.fetch()
            answers.append((response.headers, response.body()))
            route.fulfill(response=response)

        self.page.context.route("**/documents/**", keep)
        try:
            self.tap_id(identifier)
            deadline = time.monotonic() + scaled_ms(15_000) / 1000
            while not answers and time.monotonic() < deadline:
                self.page.wait_for_timeout(100)  # lets Playwright run the route handler
        finally:
            self.page.context.unroute("**/documents/**", keep)
        assert answers, f"{identifier}: no document was opened"
        return answers[0]
