"""bandit finds nothing in our code (CI runs it too; here it fails early, with the findings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_reports_no_issue():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
