"""`make audit` (scripts/audit.py): says plainly when it could not audit, fails on a finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import audit  # noqa: E402


def test_offline_the_audit_is_skipped_with_a_notice(monkeypatch, capsys):
    dead = "http://127.0.0.1:9"  # nothing listens there: every request fails at once
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert audit.pip_audit() == 0
    out = capsys.readouterr().out
    assert out.startswith("NOTICE: the vulnerability service could not be reached")
    assert "Run `make audit` again online" in out
    assert len(out) < 400  # one readable line, not a traceback


def fake_report(monkeypatch, dependencies):
    def run(*args, **kwargs):
        stdout = json.dumps({"dependencies": dependencies})
        return subprocess.CompletedProcess(args, 0, stdout=stdout, stderr="")

    monkeypatch.setattr(audit.subprocess, "run", run)


def test_a_vulnerable_package_fails_the_audit(monkeypatch, capsys):
    vuln = {"id": "PYSEC-2026-1", "fix_versions": ["2.0.1"]}
    fake_report(
        monkeypatch,
        [{"name": "demo", "version": "2.0.0", "vulns": [vuln]}, {"name": "ok", "vulns": []}],
    )
    assert audit.pip_audit() == 1
    out = capsys.readouterr().out
    assert "demo 2.0.0: PYSEC-2026-1 (fixed in 2.0.1)" in out
    assert "2 packages audited, 1 vulnerable" in out


def test_a_clean_set_passes(monkeypatch, capsys):
    fake_report(monkeypatch, [{"name": "ok", "version": "1.0", "vulns": []}])
    assert audit.pip_audit() == 0
    assert "1 packages audited, 0 vulnerable" in capsys.readouterr().out


def test_long_errors_are_cut_at_a_word():
    assert audit.first_line("\n  first words here\nsecond", limit=12) == "first words …"
    assert audit.first_line("short\nsecond") == "short"
