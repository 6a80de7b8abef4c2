"""The list rows and the facets sidebar, written in Python (catalog/paper_rows.py,
catalog/facet_html.py), are the HTML the templates they replace wrote: the
same values through Django's template engine, with its autoescaping."""

import pytest
from django.template import Context, Engine
from django.utils.safestring import mark_safe

from catalog.facet_html import facets_html
from catalog.facets import FacetEntry
from catalog.paper_rows import Link, ShownRow, rows_html

ENGINE = Engine()

ROWS_TEMPLATE = ENGINE.from_string(
    """{% for row in rows %}<li class="paper-row">
  <h{{ heading }} class="paper-title"><a href="{{ row.url }}">{{ row.title }}</a></h{{ heading }}>
{% if row.authors %}  <p class="authors">{% if row.including %}Including {% endif %}{% for author in row.authors %}{% if not forloop.first %}, {% endif %}<a href="{{ author.url }}">{{ author.text }}</a>{% endfor %}{% if row.et_al %} et al.{% endif %}</p>
{% endif %}  <p class="meta">{% if row.venue %}<a href="{{ row.venue.url }}">{{ row.venue.text }}</a>{% endif %}{% if row.year %}{% if row.venue %} {% endif %}<span class="year">{{ row.year|stringformat:"d" }}</span>{% endif %}{% for award in row.awards %}{% if row.venue or row.year or not forloop.first %} {% endif %}<a class="badge" href="{{ award.url }}">{{ award.text }}</a>{% endfor %}</p>
{% if row.snippet %}  <p class="snippet">{{ row.snippet }}</p>
{% endif %}</li>
{% endfor %}"""  # noqa: E501
)

FACET_TEMPLATE = """{% if entries %}
<section class="facet" aria-labelledby="{{ id }}">
  <h3 id="{{ id }}">{{ title }}</h3>
  {% if sample %}<p class="facet-note">Estimated from the newest {{ sample|floatformat:"g" }} of these papers.</p>{% endif %}
  <ul>
    {% for entry in entries %}
    <li><a href="{{ entry.url }}"{% if entry.active %} class="active" aria-current="true"{% endif %}><span class="label">{{ entry.label }}</span> <span class="count">{% if entry.estimated %}<abbr title="estimated">about</abbr> {% endif %}{{ entry.count|floatformat:"g" }}</span>{% if entry.active %}<span class="visually-hidden"> (selected; select to remove)</span>{% endif %}</a></li>
    {% endfor %}
  </ul>
</section>
{% endif %}"""  # noqa: E501

FACETS_TEMPLATE = ENGINE.from_string(
    """<aside class="facets" aria-labelledby="facets-heading">
  <h2 id="facets-heading">Narrow down</h2>
  {% with title="Venues" entries=facets.venues id="facet-venues" sample=facets.samples.venues %}"""
    + FACET_TEMPLATE
    + """{% endwith %}
  {% with title="Years" entries=facets.years id="facet-years" sample=facets.samples.years %}"""
    + FACET_TEMPLATE
    + """{% endwith %}
  {% with title="Awards" entries=facets.awards id="facet-awards" sample=facets.samples.awards %}"""
    + FACET_TEMPLATE
    + """{% endwith %}
  {% with title="Top authors" entries=facets.authors id="facet-authors" sample=facets.samples.authors %}"""  # noqa: E501
    + FACET_TEMPLATE
    + """{% endwith %}
</aside>"""
)

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def row(**changes):
    values = {
        "url": "/papers/a-paper/?x=1&y=<2>",
        "title": mark_safe("A <em>safe</em> title"),
        "authors": [
            Link("/people/ada/", mark_safe("Ada <mark>Lovelace</mark>")),
            Link("/people/b&b/", mark_safe("B &amp; B")),
        ],
        "including": False,
        "et_al": False,
        "venue": Link("/venues/v/", HOSTILE),
        "year": 2023,
        "awards": [Link("/awards/a/", HOSTILE), Link("/awards/b/", "Best & Brightest")],
        "snippet": mark_safe("A <mark>snippet</mark>…"),
    }
    values.update(changes)
    return ShownRow(**values)


ROWS = [
    row(),
    row(including=True, et_al=True),
    row(authors=[], venue=None, year=None),
    row(venue=None, snippet="", awards=[]),
    row(year=None, title=HOSTILE, snippet=HOSTILE, url=HOSTILE),
    row(venue=None, year=1999, awards=[Link(HOSTILE, "x")]),
]


@pytest.mark.parametrize("heading", [3, 4])
def test_rows_are_the_html_the_template_wrote(heading):
    expected = ROWS_TEMPLATE.render(Context({"rows": ROWS, "heading": heading}))
    assert rows_html(ROWS, heading) == expected
    assert "<script>" not in expected and "&lt;script&gt;" in expected


def entry(label, count, active=False, estimated=False):
    return FacetEntry(label, count, active, f"?venue={label}&page=1", estimated)


@pytest.mark.parametrize(
    "facets",
    [
        {
            "venues": [entry(HOSTILE, 3, active=True), entry("ICML", 2)],
            "years": [entry("2023", 5), entry("2022", 1, active=True)],
            "awards": [],
            "authors": [entry("Ada", 1200, estimated=True), entry("Bo", 7, estimated=True)],
            "samples": {"authors": 1000},
        },
        {"venues": [], "years": [], "awards": [], "authors": [], "samples": {}},
        {
            "venues": [entry("V", 1, estimated=True)],
            "years": [entry("2020", 2, estimated=True)],
            "awards": [entry("Oral & Best", 1, estimated=True)],
            "authors": [entry("Cy", 1, estimated=True)],
            "samples": {"venues": 5, "years": 5, "awards": 5, "authors": 5},
        },
    ],
)
def test_the_facets_sidebar_is_the_html_the_templates_wrote(facets):
    """Up to whitespace between tags, which the templates' tags left."""
    expected = FACETS_TEMPLATE.render(Context({"facets": facets}))

    def squeezed(html):
        lines = (line.strip() for line in html.splitlines())
        return "".join(line for line in lines if line)

    assert squeezed(facets_html(facets)) == squeezed(expected)
    assert "<script>" not in expected
