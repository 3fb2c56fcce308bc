"""Run benchmark scenarios: `python -m bench catalog` runs every bench/catalog_*.py,
`python -m bench catalog_api` just that one. Each scenario module has a `run()` function."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scenarios(selector: str) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    names = [n for n in names if n != "common"]
    if selector in names:
        return [selector]
    return [n for n in names if n.startswith(selector + "_") or n.startswith(selector)]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in {"-h", "--help"}:
        print("usage: python -m bench <scenario or prefix>   e.g. python -m bench catalog")
        print("scenarios:", ", ".join(scenarios("")))
        return 2
    chosen = scenarios(argv[0])
    if not chosen:
        print(f"No scenario matches {argv[0]!r}; scenarios: {', '.join(scenarios(''))}")
        return 2
    from bench import common

    common.setup_django()
    try:
        for name in chosen:
            print(f"\n== {name} ==")
            importlib.import_module(f"bench.{name}").run()
    finally:
        common.teardown_django()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
