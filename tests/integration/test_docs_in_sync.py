"""Generated documentation stays in step with the code, and the written documentation names
only things that exist: make targets, management commands, files, links, pictures, settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        ROOT / "CHANGELOG.md",
        ROOT / "bench" / "README.md",
        *(ROOT / "docs").rglob("*.md"),
    ]
)
# Top-level folders and files of the repository: a backticked `pos/pricing.py` must exist.
TOP = {path.name for path in ROOT.iterdir() if not path.name.startswith(".")} | {".ci"}
# Pages of the site named in the manuals: `/admin/reports/`, `/register/`, `/api/v1/sales/…`.
SITE_PREFIXES = ("/admin/", "/register/", "/api/", "/receipts/", "/shifts/", "/login/")
VERSION_PREFIX = "/api/v1/"  # named as the start of every API address, not a page itself


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _named(pattern: str) -> list[tuple[str, str]]:
    """(document, match) for every match of `pattern` in every document."""
    found = []
    for path in DOCS:
        for match in re.finditer(pattern, _text(path), flags=re.M):
            found.append((str(path.relative_to(ROOT)), match.group(1)))
    return found


def _make_targets() -> set[str]:
    makefile = _text(ROOT / "Makefile")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, flags=re.M))


def test_the_data_model_diagram_matches_the_models():
    call_command("model_diagram", "--check")  # CommandError (test failure) when out of date


def test_every_make_target_named_in_the_docs_exists():
    targets = _make_targets()
    named = _named(r"(?:`|^|\$ )make ([a-z][a-z0-9-]*)\b")
    assert named, "the pattern finds nothing: the test would pass vacuously"
    missing = [(doc, target) for doc, target in named if target not in targets]
    assert missing == []


def test_every_management_command_named_in_the_docs_exists():
    commands = set(get_commands())
    named = _named(r"manage\.py ([a-z_]+)")
    assert len(named) > 10
    missing = [(doc, command) for doc, command in named if command not in commands]
    assert missing == []


def _links() -> list[tuple[Path, str]]:
    """Relative targets of markdown links and images, and of <img src> in the documents."""
    links = []
    for path in DOCS:
        text = re.sub(r"```.*?```", "", _text(path), flags=re.S)  # code blocks hold no links
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
            links.append((path, target))
        for target in re.findall(r"<img [^>]*src=\"([^\"]+)\"", text):
            links.append((path, target))
    return [
        (path, target)
        for path, target in links
        if not re.match(r"[a-z]+:", target) and not target.startswith(("#", "/"))
    ]


def test_every_relative_link_and_picture_in_the_docs_points_to_a_file():
    links = _links()
    assert len(links) > 40
    broken = [
        (str(path.relative_to(ROOT)), target)
        for path, target in links
        if not (path.parent / target.split("#")[0]).exists()
    ]
    assert broken == []


def test_every_picture_in_the_manuals_is_used_and_made_by_the_screenshot_script():
    """`make screenshots` refreshes every picture of the manuals: none is left behind, stale."""
    script = _text(ROOT / "scripts" / "screenshots.py")
    used = {(path.parent / target).resolve() for path, target in _links()}
    pictures = [*(ROOT / "docs" / "manual" / "img").glob("*.png")]
    pictures += [p for p in (ROOT / "docs" / "img").glob("*.png") if p.name != "throughput.png"]
    assert sorted(p.name for p in pictures if p.resolve() not in used) == []
    named = set(re.findall(r'"([a-z0-9-]+)(?:\.png)?"', script))
    assert sorted(p.name for p in pictures if p.stem not in named) == []


def test_every_file_path_named_in_the_docs_exists():
    named = _named(r"`([A-Za-z_.][\w./-]*/[\w./-]*)`")
    paths = [
        (doc, name.rstrip("/"))
        for doc, name in named
        if name.split("/")[0] in TOP and not name.startswith(SITE_PREFIXES)
    ]
    assert len(paths) > 20
    missing = [(doc, name) for doc, name in paths if not (ROOT / name).exists()]
    assert missing == []


def _site_paths() -> list[tuple[str, str]]:
    named = _named(r"`((?:GET |POST |PATCH |DELETE )?/[^`\s]*)`")
    paths = []
    for doc, text in named:
        text = text.split(" ")[-1]
        if not text.startswith(SITE_PREFIXES):
            continue
        # Placeholders (<id>, {number}, …) stand for a real value; queries are not part of it.
        text = re.sub(r"<[^>]+>|\{[^}]+\}", "1", text.split("?")[0])
        if "…" in text or "*" in text or text == VERSION_PREFIX:
            continue
        paths.append((doc, text))
    return paths


@pytest.mark.django_db
def test_every_page_address_named_in_the_docs_exists():
    paths = _site_paths()
    assert len(paths) > 20
    missing = []
    for doc, path in paths:
        try:
            resolve(path)
        except Resolver404:
            missing.append((doc, path))
    assert missing == []


def _settings_variables() -> set[str]:
    settings = _text(ROOT / "pos_site" / "settings.py")
    return set(re.findall(r"env_(?:str|int|bool|list)\(\s*\"([A-Z_]+)\"", settings))


def _readme_configuration() -> set[str]:
    readme = _text(ROOT / "README.md")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = set()
    for row in rows:
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1]))
    return names


def test_the_readme_configuration_table_lists_exactly_the_variables_settings_read():
    read = _settings_variables()
    assert {"DJANGO_ENV", "DATABASE_URL", "SECRET_KEY"} <= read
    documented = _readme_configuration()
    assert {"not documented": sorted(read - documented), "not read": sorted(documented - read)} == {
        "not documented": [],
        "not read": [],
    }
