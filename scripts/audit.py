"""`make audit`: known vulnerabilities in the locked packages, then a static scan of our code.

pip-audit asks a vulnerability service (PyPI's by default) about every package of the dev lock
file, read straight from the lock (`--disable-pip`: the pins are exact and hashed, so there is
nothing to resolve and no package index to ask). When the service cannot be reached (offline,
a firewalled build machine), pip-audit audits nothing; this script says so plainly instead of
pretending the set is clean, and carries on with bandit, which needs no network.
Exit status: 1 when a vulnerability or a bandit finding is reported, else 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements-dev.txt"


def first_line(text: str, limit: int = 160) -> str:
    """The first line of an error, cut at a word boundary: enough to say what failed."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "no message")
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


def pip_audit() -> int:
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(LOCK), "--no-deps"]
    command += [
        "--require-hashes",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(
            "NOTICE: the vulnerability service could not be reached; no package was audited. "
            f"Run `make audit` again online. (pip-audit said: {first_line(result.stderr)})"
        )
        return 0
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        print(
            f"NOTICE: the vulnerability service could not be reached; none of the "
            f"{len(dependencies)} locked packages was audited. Run `make audit` again online."
        )
        return 0
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    skipped = len(dependencies) - len(audited)
    print(
        f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} vulnerable"
        + (f", {skipped} not found by the service" if skipped else "")
    )
    return 1 if vulnerable else 0


def bandit() -> int:
    command = [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", "."]
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    audit_status = pip_audit()
    bandit_status = bandit()
    if bandit_status == 0:
        print("bandit: no issues in our code")
    sys.exit(audit_status or bandit_status)
