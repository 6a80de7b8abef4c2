"""Papers per year as a small server-rendered SVG bar chart.

`year_chart()` turns `{year: count}` (the cells the database keeps,
catalog/counts.py, or one grouped query) into the geometry the template
`includes/year_chart.html` draws: no JavaScript, no inline styles, every bar
a link to a list for that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

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
