"""The hashed lock files agree with the pins in requirements*.txt (run `make lock` if not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def pins(path: Path) -> dict[str, str]:
    text = path.read_text()
    found = {name.lower().replace("_", "-"): version for name, version in PIN.findall(text)}
    for included in re.findall(r"^-r\s+(\S+)", text, re.M):
        found |= pins(path.parent / included)
    return found


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_pin_is_in_the_lock_at_the_same_version(requirements, lock):
    wanted = pins(ROOT / requirements)
    locked = pins(ROOT / lock)
    stale = {name: v for name, v in wanted.items() if locked.get(name) != v}
    assert not stale, f"{lock} is out of date for {stale}: run `make lock`"


def test_every_locked_package_carries_hashes():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
        unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
        assert not unhashed, f"{lock}: no hashes for {unhashed}"
