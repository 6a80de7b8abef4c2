"""Papers per year as a small server-rendered SVG bar chart.

`year_chart()` turns `{year: count}` (the cells the database keeps,
catalog/counts.py, or one grouped query) into the geometry, and
`chart_html()` draws it (the template `includes/year_chart.html` calls it):
no JavaScript, no inline styles, every bar a link to a list for that year.

Drawn in Python, not by the template language: a chart is hundreds of
values (six a bar, twice for the table), each of which Django's templates
resolve, localize and escape one by one: 30 ms for 31 bars on this machine
under load, more than the rest of a venue page, after every write (the
chart is cached per catalog version). Here: well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_WIDTH = 22
GAP = 6
PLOT_HEIGHT = 100
TOP = 16  # room for the count above the tallest bar
BOTTOM = 20  # room for the year below the bars
MAX_YEARS = 60  # a wider range keeps only its latest years


@dataclass
class Bar:
    year: int
    count: int
    url: str
    x: int
    y: int
    height: int
    label_x: float
    count_y: int


def year_chart(counts: dict[int, int], list_url: str, **filters) -> dict | None:
    """The chart for `counts`, bars linking to `list_url` with `filters` and the year.

    Years between the first and the last with no papers get an empty slot, so
    the axis is honest. None when no paper has a known year.
    """
    if not counts:
        return None
    last = max(counts)
    first = max(min(counts), last - MAX_YEARS + 1)
    tallest = max(counts.values())
    bars = []
    for index, year in enumerate(range(first, last + 1)):
        n = counts.get(year, 0)
        height = round(PLOT_HEIGHT * n / tallest) if n else 0
        if n and not height:
            height = 1
        x = GAP + index * (BAR_WIDTH + GAP)
        query = urlencode({**filters, "year": year}, doseq=True)
        bars.append(
            Bar(
                year=year,
                count=n,
                url=f"{list_url}?{query}",
                x=x,
                y=TOP + PLOT_HEIGHT - height,
                height=height,
                label_x=x + BAR_WIDTH / 2,
                count_y=TOP + PLOT_HEIGHT - height - 4,
            )
        )
    return {
        "bars": bars,
        "width": GAP + len(bars) * (BAR_WIDTH + GAP),
        "height": TOP + PLOT_HEIGHT + BOTTOM,
        "bar_width": BAR_WIDTH,
        "axis_y": TOP + PLOT_HEIGHT,
        "year_y": TOP + PLOT_HEIGHT + 14,
        "total": sum(counts.values()),
        "first": first,
        "last": last,
    }


def _papers(n: int) -> str:
    return f"{n:,} paper{'' if n == 1 else 's'}"


def chart_html(chart: dict | None, subject: str = "", chart_id: str = "year-chart") -> SafeString:
    """The chart from year_chart() as an SVG figure with a table as its text
    alternative (empty without a chart). `subject` names whose papers they
    are; every text and URL is escaped."""
    if not chart:
        return mark_safe("")
    cid, about = escape(chart_id), escape(subject)
    width, axis_y, year_y = chart["width"], chart["axis_y"], chart["year_y"]
    bars, rows = [], []
    for bar in chart["bars"]:
        if bar.count:
            url, label = escape(bar.url), f"{bar.year}: {_papers(bar.count)}"
            bars.append(
                f'<a href="{url}" aria-label="{label}"><title>{label}</title>'
                f'<rect class="bar" x="{bar.x}" y="{bar.y}" width="{chart["bar_width"]}" '
                f'height="{bar.height}"/><text class="count" x="{bar.label_x}" '
                f'y="{bar.count_y}" text-anchor="middle">{bar.count:,}</text></a>'
            )
            rows.append(
                f'<tr><th scope="row"><a href="{url}">{bar.year}</a></th>'
                f"<td>{bar.count:,}</td></tr>"
            )
        bars.append(
            f'\n    <text class="year" x="{bar.label_x}" y="{year_y}" text-anchor="middle" '
            f'aria-hidden="true">{bar.year}</text>'
        )
    caption = f"Papers per year{f' — {about}' if subject else ''}"
    by = f" by {about}" if subject else ""
    return mark_safe(
        f'<figure class="year-chart" aria-labelledby="{cid}-caption">\n'
        f'  <figcaption id="{cid}-caption">{caption}</figcaption>\n'
        f'  <svg viewBox="0 0 {width} {chart["height"]}" width="{width}" '
        f'height="{chart["height"]}" role="group" aria-labelledby="{cid}-title" '
        f'aria-describedby="{cid}-table" focusable="false">\n'
        f'    <title id="{cid}-title">Bar chart: {_papers(chart["total"])}{by} from '
        f"{chart['first']} to {chart['last']}. Each bar links to that year's papers.</title>\n"
        f'    <line class="axis" x1="0" y1="{axis_y}" x2="{width}" y2="{axis_y}"/>\n'
        f"    {''.join(bars)}\n"
        "  </svg>\n"
        f'  <table id="{cid}-table" class="visually-hidden">\n'
        f"    <caption>{caption}</caption>\n"
        '    <thead><tr><th scope="col">Year</th><th scope="col">Papers</th></tr></thead>\n'
        f"    <tbody>{''.join(rows)}</tbody>\n"
        "  </table>\n"
        "</figure>\n"
    )
