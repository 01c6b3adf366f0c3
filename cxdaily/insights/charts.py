"""Simple inline SVG charts for the HTML digest: tags over time (lines over bars of the
total) and the sentiment mix (this period and the previous one as 100% bars).

Plain strings, no library: every label is escaped, and sizes are fixed so the file looks
the same everywhere.
"""

from __future__ import annotations

from html import escape

from cxdaily.insights.model import Change, Trend
from cxdaily.insights.words import shares

PALETTE = ("#2f6fde", "#e4572e", "#17a398", "#f3a712", "#8e5ad6", "#6b7a8f")
SENTIMENT_COLOURS = {
    "negative": "#d64545",
    "neutral": "#9aa5b1",
    "positive": "#2e9e5b",
    "unknown": "#d5dbe3",
}
SENTIMENT_LABEL_COLOURS = {"negative": "#fff", "positive": "#fff"}
"""The share's colour on a segment: white on the dark ones, near-black on the light ones
(white on light grey could not be read)."""
DARK_LABEL = "#1f2933"
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 160, 12, 40
MAX_X_LABELS = 10


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def trend_svg(trend: Trend) -> str:
    """Lines of the followed tags per bucket, over grey bars of all insights."""
    buckets = trend.buckets
    if not buckets:
        return ""
    top = nice_ceiling(max([b.total for b in buckets] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(buckets)

    def x(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / top)

    out = [
        f'<svg class="chart trend" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="Tags over time, per {_e(trend.unit)}">',
        f"<title>Tags over time, per {_e(trend.unit)}</title>",
    ]
    for value in (0, top // 2, top) if top > 1 else (0, top):
        out.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" '
            'stroke="#9aa5b1" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    bar_w = max(step * 0.6, 1)
    for i, bucket in enumerate(buckets):
        if bucket.total:
            out.append(
                f'<rect class="total" x="{x(i) - bar_w / 2:.1f}" y="{y(bucket.total):.1f}" '
                f'width="{bar_w:.1f}" height="{plot_h * bucket.total / top:.1f}" '
                f'fill="#d5dbe3"><title>{_e(bucket.label)}: {bucket.total} insights</title></rect>'
            )
    every = max(1, -(-len(buckets) // MAX_X_LABELS))
    for i, bucket in enumerate(buckets):
        if i % every == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{_e(bucket.label)}</text>"
            )
    for n, tag in enumerate(trend.tags):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{x(i):.1f},{y(b.counts.get(tag, 0)):.1f}" for i, b in enumerate(buckets)
        )
        if len(buckets) == 1:
            cy = y(buckets[0].counts.get(tag, 0))
            out.append(f'<circle cx="{x(0):.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>')
        else:
            out.append(
                f'<polyline class="series" data-tag="{_e(tag)}" points="{points}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        legend_y = TOP + 14 + n * 18
        out.append(
            f'<rect x="{WIDTH - RIGHT + 16}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{colour}"/>'
        )
        out.append(f'<text x="{WIDTH - RIGHT + 32}" y="{legend_y}">{_e(_short(tag))}</text>')
    legend_y = TOP + 14 + len(trend.tags) * 18
    out.append(
        f'<rect x="{WIDTH - RIGHT + 16}" y="{legend_y - 9}" width="10" height="10" fill="#d5dbe3"/>'
    )
    out.append(f'<text x="{WIDTH - RIGHT + 32}" y="{legend_y}">all insights</text>')
    out.append("</svg>")
    return "\n".join(out)


def _short(tag: str, limit: int = 18) -> str:
    return tag if len(tag) <= limit else tag[: limit - 1] + "…"


def sentiment_svg(sentiment: tuple[Change, ...]) -> str:
    """Two 100% bars, this period and the previous one, split by sentiment."""
    width, bar_h, label_w = 720, 28, 110
    previous = tuple(Change(c.name, c.previous, 0) for c in sentiment)
    rows = (  # the shares the digest's words give: they add up to 100
        ("This period", {name: (count, pct) for name, count, pct in shares(sentiment)}),
        ("Previous", {name: (count, pct) for name, count, pct in shares(previous)}),
    )
    height = 20 + len(rows) * (bar_h + 14) + 24
    out = [
        f'<svg class="chart sentiment" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="Sentiment mix">',
        "<title>Sentiment mix</title>",
    ]
    plot_w = width - label_w - 20
    for row, (label, counts) in enumerate(rows):
        top = 10 + row * (bar_h + 14)
        out.append(f'<text x="0" y="{top + bar_h / 2 + 4:.1f}">{_e(label)}</text>')
        total = sum(count for count, _ in counts.values())
        if not total:
            out.append(f'<text x="{label_w}" y="{top + bar_h / 2 + 4:.1f}">no insights</text>')
            continue
        left = float(label_w)
        for name, (count, pct) in counts.items():
            if not count:
                continue
            seg_w = plot_w * count / total
            colour = SENTIMENT_COLOURS.get(name, "#d5dbe3")
            out.append(
                f'<rect class="segment" data-sentiment="{_e(name)}" x="{left:.1f}" y="{top}" '
                f'width="{seg_w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{_e(name)}: {count} ({pct}%)</title></rect>"
            )
            if seg_w > 44:
                ink = SENTIMENT_LABEL_COLOURS.get(name, DARK_LABEL)
                out.append(
                    f'<text x="{left + seg_w / 2:.1f}" y="{top + bar_h / 2 + 4:.1f}" '
                    f'text-anchor="middle" style="fill:{ink}">{pct}%</text>'
                )
            left += seg_w
    legend_y = height - 8
    x = label_w
    present = {name for _, counts in rows for name, (count, _) in counts.items() if count}
    for name, colour in SENTIMENT_COLOURS.items():
        if name not in present:
            continue
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}">{_e(name)}</text>')
        x += 90
    out.append("</svg>")
    return "\n".join(out)
