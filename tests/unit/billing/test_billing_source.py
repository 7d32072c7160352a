"""PORTAL_BILLING: with "core" the core system issues the invoices (they come by the import), so the
portal's daily billing run issues nothing; with "portal", the default, it bills the plan as it falls due."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest

from portal import config
from portal.jobs import billing as billing_job

AS_OF = dt.date(2026, 12, 7)


@pytest.fixture
def billing_calls(monkeypatch):
    """The job's calls to the billing service, recorded instead of run (no database is opened)."""
    calls: list[dt.date] = []

    def run_billing(*, session, tenant_id, as_of, now, public_url):
        calls.append(as_of)
        return ["F1", "F2"]

    class Tenant:
        id = 1

    class Session:
        def exec(self, statement):
            return self

        def one(self):
            return Tenant()

    monkeypatch.setattr(billing_job, "run_billing", run_billing)
    monkeypatch.setattr(billing_job, "session_scope", lambda: contextlib.nullcontext(Session()))
    return calls


@pytest.mark.parametrize(("source", "issued", "calls"), [("portal", 2, [AS_OF]), ("core", 0, [])])
def test_the_daily_run_bills_only_when_the_portal_is_the_biller(monkeypatch, billing_calls, source, issued, calls):
    monkeypatch.setattr(billing_job, "settings", dataclasses.replace(config.settings, billing=source))

    assert billing_job.run(as_of=AS_OF) == issued
    assert billing_calls == calls


def test_an_unknown_billing_source_stops_the_portal_at_start(monkeypatch):
    monkeypatch.setenv("PORTAL_BILLING", "both")

    with pytest.raises(config.SettingsError, match="PORTAL_BILLING must be one of portal, core, not 'both'"):
        config.check_settings(config.load_settings())
