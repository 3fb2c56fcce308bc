"""The throughput chart (docs/img/throughput.png), drawn with Pillow (already a dependency of
Wagtail's images): grouped bars of sales per second against concurrent registers, one colour per
database, the p99 checkout latency written on each bar, and the target as a dashed line.

    python -m bench._chart        # redraw from bench/results/throughput*.json
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OUTPUT = ROOT / "docs" / "img" / "throughput.png"
TARGET = 100  # sales/s at 16 registers on PostgreSQL (issue #10)
SERIES = (
    ("throughput.json", "SQLite", (150, 150, 150)),
    ("throughput-postgresql.json", "PostgreSQL", (51, 102, 170)),
)


def throughput_chart(output: Path = OUTPUT) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    data = []
    for name, label, colour in SERIES:
        path = RESULTS / name
        if path.exists():
            data.append((label, colour, json.loads(path.read_text())))
    levels = sorted({int(k) for _, _, d in data for k in d["results"]}) or [1, 4, 16]
    top = max(
        [TARGET * 1.15]
        + [row["sales_per_s"] * 1.15 for _, _, d in data for row in d["results"].values()]
    )

    width, height = 960, 540
    left, right, upper, lower = 80, 30, 70, 80
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    title = ImageFont.load_default(size=19)
    plot_w, plot_h = width - left - right, height - upper - lower

    def y_of(value: float) -> float:
        return upper + plot_h - value / top * plot_h

    draw.text((left, 18), "Sales per second against concurrent registers", fill="black", font=title)
    machines = {f"{d['machine']['cpus']} cores, {d['machine']['cpu']}" for _, _, d in data}
    loads = [
        row[key]
        for _, _, d in data
        for row in d["results"].values()
        for key in ("load_average_before", "load_average_after")
        if key in row
    ]
    load = f" · load average {min(loads):g} to {max(loads):g}" if loads else ""
    draw.text(
        (left, 44),
        "; ".join(sorted(machines)) + f"{load} · gunicorn sync workers · label: checkout p99",
        fill=(90, 90, 90),
        font=small,
    )
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if top / s <= 10)
    tick = 0
    while tick <= top:
        y = y_of(tick)
        draw.line([(left, y), (width - right, y)], fill=(230, 230, 230))
        draw.text((left - 10, y), f"{tick:g}", fill="black", font=small, anchor="rm")
        tick += step
    draw.line([(left, upper), (left, upper + plot_h)], fill="black")
    draw.line([(left, upper + plot_h), (width - right, upper + plot_h)], fill="black")

    y = y_of(TARGET)
    for x in range(left, width - right, 14):
        draw.line([(x, y), (min(x + 7, width - right), y)], fill=(200, 60, 60), width=2)
    draw.text(
        (width - right - 4, y - 4),
        f"target {TARGET}/s at 16 registers (PostgreSQL)",
        fill=(200, 60, 60),
        font=small,
        anchor="rb",
    )

    group_w = plot_w / len(levels)
    bar_w = min(90, group_w * 0.7 / max(1, len(data)))
    for i, level in enumerate(levels):
        centre = left + group_w * (i + 0.5)
        draw.text(
            (centre, upper + plot_h + 12),
            f"{level} register{'s' if level > 1 else ''}",
            fill="black",
            font=font,
            anchor="mt",
        )
        for j, (_, colour, d) in enumerate(data):
            row = d["results"].get(str(level))
            if not row:
                continue
            x0 = centre - bar_w * len(data) / 2 + j * bar_w + 4
            x1 = x0 + bar_w - 8
            draw.rectangle([(x0, y_of(row["sales_per_s"])), (x1, y_of(0))], fill=colour)
            draw.text(
                ((x0 + x1) / 2, y_of(row["sales_per_s"]) - 20),
                f"{row['sales_per_s']:g}/s",
                fill="black",
                font=font,
                anchor="mb",
            )
            draw.text(
                ((x0 + x1) / 2, y_of(row["sales_per_s"]) - 4),
                f"p99 {row['checkout'].get('p99_ms', 0):.0f} ms",
                fill=(70, 70, 70),
                font=small,
                anchor="mb",
            )
    x = left + 10
    for label, colour, _ in data:
        draw.rectangle([(x, height - 30), (x + 14, height - 16)], fill=colour)
        draw.text((x + 20, height - 23), label, fill="black", font=font, anchor="lm")
        x += 140
    draw.text((width - right, height - 23), "sales/s", fill=(90, 90, 90), font=small, anchor="rm")
    output.parent.mkdir(parents=True, exist_ok=True)
    image.save(output, optimize=True)
    return output


if __name__ == "__main__":
    print(throughput_chart())
