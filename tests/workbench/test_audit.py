"""The audit page through the reader's clearance: a finding about an event the reader
cannot see shows only as a count (no position, check or text), the head and the
projections' progress are those of the events it sees; a reader cleared for the hidden
event sees every finding."""

import re

import psycopg
from playwright.sync_api import Browser, expect

from ledger.web.keys import Role
from tests.audit.tamper import superuser
from tests.workbench.conftest import Served, sign_in

HIDDEN = 146  # the SECRET Hezbollah report at Qusayr
VISIBLE = 100


def _tamper_streams(url: str) -> None:
    with superuser(url) as conn:
        for position, stream in ((HIDDEN, "actor:tamper"), (VISIBLE, "actor:visible-tamper")):
            conn.execute(
                "UPDATE ledger.events SET stream_id = %s WHERE position = %s", (stream, position)
            )


def test_findings_about_hidden_events_show_only_as_a_count(
    browser: Browser, served: Served
) -> None:
    with psycopg.connect(served.url) as conn:
        (streams,) = conn.execute(
            "SELECT array_agg(stream_id ORDER BY position) FROM ledger.events"
            " WHERE position IN (%s, %s)",
            (VISIBLE, HIDDEN),
        ).fetchone()  # type: ignore[misc]
    _tamper_streams(served.url)
    auditor = browser.new_context()
    cleared = browser.new_context()
    try:
        sign_in(auditor, served, served.keys[Role.AUDITOR])
        page = auditor.new_page()
        page.goto(f"{served.base}/workbench/audit")
        with page.expect_navigation():
            page.click("text=Verify the whole ledger now")
        expect(page.locator("p.bad").first).to_contain_text("Integrity problem")
        expect(page.locator(".hidden-findings")).to_contain_text("finding(s) concern events")
        findings = page.locator("table.findings").inner_text()
        assert "actor:visible-tamper" in findings and str(VISIBLE) in findings
        body = page.locator("main").inner_text()
        assert "actor:tamper" not in body
        assert streams[1] not in body.replace(streams[0], "")  # the hidden event's own stream
        cells = page.locator("table.findings tbody tr td:first-child").all_inner_texts()
        assert str(VISIBLE) in cells and str(HIDDEN) not in cells
        assert not re.search(rf"\bposition {HIDDEN}\b", page.locator("p.bad").all_inner_texts()[1])
        expect(page.locator(".head")).to_have_text("144")  # 145, 146 are SECRET
        columns = page.locator("table.checks tr", has_text="columns")
        expect(columns).to_contain_text("failed")  # the visible finding's check

        sign_in(cleared, served, served.secret)
        secret = cleared.new_page()
        secret.goto(f"{served.base}/workbench/audit")
        expect(secret.locator(".head")).to_have_text(str(HIDDEN))
        expect(secret.locator(".hidden-findings")).to_have_count(0)
        shown = secret.locator("table.findings").inner_text()
        assert "actor:tamper" in shown and "actor:visible-tamper" in shown
    finally:
        auditor.close()
        cleared.close()
