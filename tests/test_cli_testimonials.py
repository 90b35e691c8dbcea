"""`flask export testimonials`: the filtered testimonials as CSV, formula-like cells neutralised."""

from __future__ import annotations

import csv
import io

from tests.factories.testimonials import make_account, make_testimonial, public_consent


def test_export_testimonials(app, db_session, tmp_path):
    account = make_account(db_session)
    make_testimonial(db_session, account, body="=HYPERLINK(1) fast", **public_consent())
    make_testimonial(db_session, account, body="Internal words.", status=["approved"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "testimonials", "--status", "received"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["body"] for r in rows] == ["'=HYPERLINK(1) fast"]
    out = tmp_path / "testimonials.csv"
    result = runner.invoke(args=["export", "testimonials", "--out", str(out), "--consent-scope", "internal"])
    assert result.exit_code == 0 and result.stdout.strip() == f"Exported 1 testimonials to {out}."
    assert "Internal words." in out.read_text(encoding="utf-8")
    assert runner.invoke(args=["export", "testimonials", "--status", "lost"]).exit_code == 2
