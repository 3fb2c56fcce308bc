"""The receipt header and footer: Wagtail rich text reduced to lines of bold/italic runs.

The editor only offers bold, italic and line breaks, but the database could hold anything
(an import, an old revision, the API). Every renderer therefore works from this reduced form,
never from the stored HTML: unknown tags are dropped, their text kept and escaped on output.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

BOLD_TAGS = {"b", "strong"}
ITALIC_TAGS = {"i", "em"}
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


Line = tuple[Run, ...]


class _Reducer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[Run]] = [[]]
        self.bold = 0
        self.italic = 0
        self.skip = 0

    def _break(self) -> None:
        self.lines.append([])

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in BOLD_TAGS:
            self.bold += 1
        elif tag in ITALIC_TAGS:
            self.italic += 1
        elif tag == "br":
            self._break()
        elif tag in BLOCK_TAGS and self.lines[-1]:
            self._break()

    def handle_startendtag(self, tag, attrs) -> None:
        if tag == "br":
            self._break()

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)
        elif tag in BOLD_TAGS:
            self.bold = max(self.bold - 1, 0)
        elif tag in ITALIC_TAGS:
            self.italic = max(self.italic - 1, 0)
        elif tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data) -> None:
        if self.skip:
            return
        text = " ".join(data.replace("\xa0", " ").split())
        if data[:1].isspace() and text:
            text = " " + text
        if data[-1:].isspace() and text:
            text += " "
        if not text:
            return
        runs = self.lines[-1]
        run = Run(text, bool(self.bold), bool(self.italic))
        if runs and (runs[-1].bold, runs[-1].italic) == (run.bold, run.italic):
            runs[-1] = Run(runs[-1].text + text, run.bold, run.italic)
        else:
            runs.append(run)


def rich_text_lines(html: str) -> tuple[Line, ...]:
    """`<p><b>Hi</b><br/>there</p>` → ((Run("Hi", bold),), (Run("there"),)); empty lines
    inside the text are kept (a blank paragraph is a deliberate gap), leading and trailing
    ones are dropped."""
    reducer = _Reducer()
    reducer.feed(html or "")
    reducer.close()
    lines: list[Line] = []
    for runs in reducer.lines:
        stripped = _strip(runs)
        lines.append(tuple(stripped))
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # Paragraph ends followed by a <br> produce doubled breaks; keep at most one blank line.
    result: list[Line] = []
    for line in lines:
        if not line and result and not result[-1]:
            continue
        result.append(line)
    return tuple(result)


def _strip(runs: list[Run]) -> list[Run]:
    runs = list(runs)
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold, runs[0].italic)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold, runs[-1].italic)
    return [run for run in runs if run.text]


def plain(line: Line) -> str:
    return "".join(run.text for run in line)
