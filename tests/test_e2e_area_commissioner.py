"""Acceptance 5a (issue 11), end to end in headless Chromium: a commissioner of NHS Greater Manchester (icb:QOP),
whose homes span Trafford and Manchester, finds a nursing dementia vacancy across both authorities, opens the
"Not updated" list and the vacancy history chart.

Real processes: the central API (demo data, plus Manchester homes added to its directory and their bed states
sent by their managers) and the app in web mode; the real UI at phone width.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from playwright.sync_api import expect

from server_stub.clock import iso
from server_stub.security import hash_password
from tests.support.app_process import AppProcess
from tests.support.area_homes import IN_GM, add_to_directory, home_mutations, manager_of, push_body
from tests.support.auth import DEMO_PASSWORD, sign_in
from tests.support.flet_ui import FletPage
from tests.support.server_process import start_server
from tests.support.timing import scaled, scaled_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def area_served(tmp_path_factory):
    root = tmp_path_factory.mktemp("area")
    server = start_server(root / "central.sqlite3")
    from datetime import datetime, timezone

    add_to_directory(server.database_url, IN_GM, hash_password(DEMO_PASSWORD),
                     stamp=iso(datetime.now(timezone.utc)))
    for area_home in IN_GM:  # each home's manager sends its beds, its funding and (most) a confirmation
        answer = httpx.post(f"{server.url}/sync/push", headers=sign_in(server.url, manager_of(area_home)),
                            json=push_body(home_mutations(area_home, with_status=area_home.confirmed_ago is not None)),
                            timeout=scaled(20))
        answer.raise_for_status()
        assert {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text
    app = AppProcess(root / "app", root / "app-keyring.json", server.url).start()
    yield server, app
    app.stop()
    server.stop()


def history_endpoint_exists(server_url: str) -> bool:
    answer = httpx.get(f"{server_url}/area/history", params={"area": "icb:QOP"}, timeout=scaled(10),
                       headers=sign_in(server_url, "commissioner"))
    return answer.status_code != 404 or "Not Found" not in answer.text


@pytest.mark.timeout(240)
def test_commissioner_finds_a_dementia_bed_across_two_authorities(phone: FletPage, area_served, artifacts_dir):
    server, app = area_served
    phone.open(app.url)
    phone.sign_in(None, "commissioner", DEMO_PASSWORD, until="area-title")
    # Her first screen: the area at a glance, from this device's data once the first sync has brought it.
    phone.wait_id_text("area-title", "Greater Manchester", timeout=30_000)
    phone.wait_id_text("area-totals", "63 homes", timeout=30_000)
    phone.wait_id_text("area-data-age", "Area data from")
    phone.page.screenshot(path=str(artifacts_dir / "area-overview-phone.png"))
    # Drill down to a local authority and back up.
    phone.tap_id("area-child-Manchester")
    phone.wait_id_text("area-title", "Manchester")
    phone.wait_id_text("area-totals", "3 homes")
    phone.tap_id("area-back")
    phone.wait_id_text("area-title", "Greater Manchester")

    # Find a bed: nursing dementia (chosen by default), nearest to WA15: homes in both authorities.
    phone.tap_id("area-find-bed")
    phone.by_id("search-district").first.wait_for()
    phone.type_into(phone.by_id("search-district").locator("input").first, "WA15")
    phone.tap_id("search-run")
    phone.wait_id_text("search-summary", "nearest to postcode district WA15")
    phone.by_id("search-result-1-900000001").first.wait_for()  # Trafford
    phone.by_id("search-result-1-900000005").first.wait_for()  # Manchester
    assert phone.by_id("search-result-1-900000003").count() == 0  # closed to admissions
    phone.by_id("search-call-1-900000001").first.wait_for()  # the number to call, as a tel: link
    expect(phone.by_id("search-result-1-900000001").first).to_be_in_viewport(timeout=scaled_ms(5_000))  # the form folded away
    phone.by_id("search-change").first.wait_for()
    phone.page.screenshot(path=str(artifacts_dir / "area-search-phone.png"))

    # The results as a CSV file, handed over through a one-time link (sealed on the device until then).
    headers, body = phone.open_document("search-csv-open")
    assert headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {"1-900000001", "1-900000005"} <= {row["home_id"] for row in rows}

    # Who has not updated: oldest first (the demo homes never confirmed), with the share up to date.
    phone.tap_id("search-back")
    phone.tap_id("area-stale")
    share = phone.wait_id_text("stale-share", "updated in the last 7 days")
    assert "of 63 homes" in share
    phone.by_id("stale-home-1-900000007").first.wait_for()  # Wythenshawe Lodge: never confirmed
    phone.page.screenshot(path=str(artifacts_dir / "area-stale-phone.png"))

    # Vacancy history: a line chart from GET /area/history (the area API's); without it, said plainly.
    phone.tap_id("stale-back")
    phone.tap_id("area-history")
    has_history = history_endpoint_exists(server.url)
    if has_history:
        phone.wait_id_text("history-source", "Vacancy history as of", timeout=20_000)
        phone.by_id("history-chart").first.wait_for()
        phone.by_id("history-table").first.wait_for()
    else:
        phone.wait_id_text("history-source", "Vacancy history needs a connection once", timeout=20_000)
    phone.page.screenshot(path=str(artifacts_dir / "area-history-phone.png"))

    # No connection (the central API stops): the screens say how old their data is, search still answers, the
    # history shows what was saved.
    server.stop()
    phone.tap_id("history-back")
    phone.wait_id_text("area-data-age", "no connection now", timeout=30_000)
    phone.tap_id("area-find-bed")
    phone.tap_id("search-run")
    phone.by_id("search-result-1-900000005").first.wait_for()
    phone.wait_id_text("area-data-age", "no connection now")
    phone.tap_id("search-back")
    phone.tap_id("area-history")
    phone.wait_id_text("history-source", "Saved " if has_history else "needs a connection once", timeout=20_000)
    if has_history:
        phone.by_id("history-chart").first.wait_for()
