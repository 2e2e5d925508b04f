"""Server-side SVG charts: the same drawing on the page and in the PDF report (WeasyPrint
runs no JavaScript). Each chart has a title and a description for screen readers, and the
page puts its data table beside it."""

import hashlib
from dataclasses import dataclass
from html import escape

from portal.formats import grouped

PALETTE = ["#0b3d91", "#2e7d32", "#b26a00", "#a4161a", "#5e35b1", "#00838f"]
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    # Ids unique per chart: a page shows several.
    ident = "chart-" + hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" class="chart">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _legend(series: list[Series], y: int) -> list[str]:
    parts, x = [], 10
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 16}" y="{y + 11}" font-size="12" {FONT}>{escape(item.label)}</text>'
        )
        x += 24 + 7 * len(item.label)
    return parts


def bars(
    labels: list[str],
    series: list[Series],
    *,
    title: str,
    description: str,
    width: int = 640,
    height: int = 260,
    stacked: bool = False,
) -> str:
    """Grouped (or stacked) vertical bars with a value axis from 0."""
    top, bottom, left = 16, 56, 44
    plot_h, plot_w = height - top - bottom, width - left - 10
    totals = (
        [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
        if stacked
        else [v or 0 for s in series for v in s.values]
    )
    peak = max(totals, default=0) or 1
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#4a4a4a"/>'
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f"{FONT}>{grouped(round(peak * fraction))}</text>"
        )
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.7 / (1 if stacked else max(len(series), 1))
    for i, label in enumerate(labels):
        x0, base = left + i * slot + slot * 0.15, float(top + plot_h)
        for j, item in enumerate(series):
            value = item.values[i] or 0
            h = plot_h * value / peak
            x = x0 if stacked else x0 + j * bar_w
            y = base - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(item.label)}, '
                f"{escape(label)}: {grouped(value)}</title></rect>"
            )
            if stacked:
                base = y
        body.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{top + plot_h + 16}" '
            f'font-size="11" text-anchor="middle" {FONT}>{escape(label)}</text>'
        )
    body += _legend(series, height - 20)
    return _svg(width, height, title, description, body)


def lines(
    labels: list[str],
    series: list[Series],
    *,
    title: str,
    description: str,
    width: int = 640,
    height: int = 240,
    maximum: float = 100,
) -> str:
    """Lines of percentages (0–maximum); a missing value breaks the line."""
    top, bottom, left = 16, 56, 44
    plot_h, plot_w = height - top - bottom, width - left - 10
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#d5dbe6"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f"{FONT}>{maximum * fraction:.0f}%</text>"
        )
    for j, item in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        points: list[tuple[float, float]] = []
        for i, value in enumerate(item.values):
            if value is None:
                if len(points) > 1:
                    body.append(_polyline(points, colour))
                points = []
                continue
            x, y = left + i * step, top + plot_h - plot_h * min(value, maximum) / maximum
            points.append((x, y))
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(item.label)}, {escape(labels[i])}: {grouped(value, 2)} %"
                "</title></circle>"
            )
        if len(points) > 1:
            body.append(_polyline(points, colour))
    for i, label in enumerate(labels):
        body.append(
            f'<text x="{left + i * step:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" {FONT}>{escape(label)}</text>'
        )
    body += _legend(series, height - 20)
    return _svg(width, height, title, description, body)


def _polyline(points: list[tuple[float, float]], colour: str) -> str:
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2"/>'
