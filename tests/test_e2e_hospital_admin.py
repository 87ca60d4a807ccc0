"""Acceptance 5 (hospital user and administrator) in the real UI: headless Chromium, real app and central API.

A home sends a resident to the demo hospital (R0A07); the hospital user's
first screen lists the transfer and opens its pack (a PDF made on her device,
handed over by the app's one-time link). An administrator's first screen shows
the last directory import's summary, and finds an account.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from domain.news2 import Consciousness, Observations
from domain.residents import Organisation, Resident
from domain.transfer import depart, start_transfer
from protocol.sync import SCHEMA_VERSION
from server_stub.demo_data import DEMO_HOME_ID, DEMO_HOSPITAL_ODS
from tests.support.auth import DEMO_PASSWORD, sign_in, sign_in_answer
from tests.support.timing import scaled

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[1]
TRAFFORD = REPO / "server_stub" / "data" / "trafford_care_homes.csv"


def push(server_url: str, headers: dict, *models: tuple[str, object, int | None]) -> list[dict]:
    now = datetime.now(timezone.utc).isoformat()
    mutations = [{"mutation_id": str(uuid.uuid4()), "kind": kind, "record_id": model.record_id,
                  "base_version": base, "client_time": now, "data": model.model_dump(mode="json")}
                 for kind, model, base in models]
    answer = httpx.post(f"{server_url}/sync/push", headers=headers, timeout=scaled(10),
                        json={"device_id": str(uuid.uuid4()), "schema_version": SCHEMA_VERSION, "mutations": mutations})
    answer.raise_for_status()
    results = answer.json()["results"]
    assert all(r["status"] == "applied" for r in results), results
    return results


def send_margaret_to_hospital(server_url: str):
    """The demo home (as its manager's device would) sends a resident to Wythenshawe Hospital."""
    manager = sign_in(server_url)
    margaret = Resident(home_id=DEMO_HOME_ID, resident_id=uuid.uuid4().hex, given_name="Margaret",
                        family_name="Oyelaran-Whitfield", date_of_birth=date(1934, 3, 2), nhs_number="943 476 5919")
    observations = Observations(respiration_rate=24, spo2=93, on_oxygen=False, systolic_bp=98, pulse=112,
                                consciousness=Consciousness.NEW_CONFUSION, temperature=Decimal("38.4"))
    transfer = start_transfer(margaret, "Short of breath, new confusion", observations,
                              destination_hospital=Organisation(name="Wythenshawe Hospital", ods_code=DEMO_HOSPITAL_ODS))
    _, sent = push(server_url, manager, ("resident", margaret, None), ("transfer", transfer, None))
    push(server_url, manager, ("transfer", depart(transfer, datetime.now(timezone.utc)), sent["version"]))
    return transfer


def test_a_hospital_user_opens_an_incoming_transfers_pack(phone, make_app, central_api, artifacts_dir):
    transfer = send_margaret_to_hospital(central_api.url)
    app = make_app()
    phone.open(app.url)
    phone.sign_in(None, "hospital", DEMO_PASSWORD, until="transfer-list")
    phone.wait_id_text("hospital-summary", "1 resident on a transfer to your hospital, 1 arriving")
    assert phone.by_id("sync-status").count() and phone.by_id("sign-out").count()
    phone.page.screenshot(path=str(artifacts_dir / "hospital-transfers-phone.png"))

    headers, pdf = phone.open_document(f"transfer-{transfer.transfer_id}")
    assert headers["content-type"] == "application/pdf" and pdf.startswith(b"%PDF")
    # Nothing of her is kept in plain form on the device.
    for path in app.data_dir.rglob("*"):
        if path.is_file():
            assert b"Oyelaran" not in path.read_bytes(), path


def import_directory(central_api) -> None:
    """The real importer (python -m server_stub import-homes) on the test server's database."""
    done = subprocess.run([sys.executable, "-m", "server_stub", "import-homes", str(TRAFFORD),
                           "--database-url", central_api.database_url],
                          cwd=REPO, capture_output=True, text=True, timeout=scaled(120))
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_administrator_sees_the_last_imports_summary_and_finds_an_account(phone, make_app, central_api):
    import_directory(central_api)
    app = make_app()
    phone.open(app.url)
    phone.sign_in(None, "admin", DEMO_PASSWORD, until="import-status")
    assert phone.by_id("sync-status").count() and phone.by_id("sign-out").count()

    phone.type_into(phone.by_id("account-search").locator("input").first, "ward clerk")
    phone.tap_id("account-find")
    phone.wait_id_text("account-line-hospital", "Demo ward clerk, Wythenshawe Hospital")
    assert phone.by_id("role-hospital").count()

    # The champion locked herself out; the administrator lets her back in at once.
    for _ in range(10):
        sign_in_answer(central_api.url, "champion", "wrong password")
    assert sign_in_answer(central_api.url, "champion").status_code == 423
    phone.type_into(phone.by_id("account-search").locator("input").first, "champion")
    phone.tap_id("account-find")
    phone.tap_id("unlock-champion")
    phone.wait_id_text("admin-message", "can sign in again now")
    assert sign_in_answer(central_api.url, "champion").status_code == 200

    status = phone.wait_id_text("import-status", "Last file: trafford_care_homes.csv (CQC directory)")
    assert "unchanged" in status and "added" in status


def test_a_manager_corrects_the_bed_categories_and_the_bed_state_shows_exactly_those(phone, make_app, central_api,
                                                                                    artifacts_dir):
    app = make_app()
    phone.open(app.url)
    phone.sign_in(None, "demo", DEMO_PASSWORD)
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    assert phone.by_id("bed-nursing_dementia-occupied-value").count()
    phone.by_id("history-status").first.wait_for()  # "Last 30 days" is there (what it holds: the area API's)

    phone.tap_id("open-settings")
    phone.wait_id_text("categories-note", "As the CQC registration implies")
    phone.tap_id("category-nursing_dementia")
    phone.tap_id("funding-nhs_chc")
    phone.wait_id_text("categories-note", "Corrected by the home")
    phone.page.screenshot(path=str(artifacts_dir / "home-settings-phone.png"))
    phone.tap_id("settings-save")
    phone.wait_id_text("settings-message", "Saved on this device")
    phone.tap_id("settings-back")
    phone.wait_id_text("home-name", "Allingham House Care Centre")
    phone.by_id("bed-nursing-occupied-value").first.wait_for()
    assert phone.by_id("bed-nursing_dementia-occupied-value").count() == 0
