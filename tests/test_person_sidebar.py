"""A person page's sidebar, written in Python (people/sidebar.py), is the HTML
the template it replaces wrote: the same values through Django's template
engine, with its autoescaping."""

import pytest
from django.template import Context, Engine

from people.sidebar import sidebar_html
from people.views import Counted

# people/templates/people/includes/person_sidebar.html, as it was.
SIDEBAR_TEMPLATE = Engine().from_string(
    """<aside class="facets" aria-label="About {{ person.name }}">
  <section aria-labelledby="coauthors-heading">
    <h2 id="coauthors-heading">Co-authors</h2>
    {% if coauthors|length == coauthors_shown %}<p class="note">The {{ coauthors_shown }} most frequent.</p>{% endif %}{% if coauthor_papers %}<p class="note">Counted in the {{ coauthor_papers|floatformat:"g" }} papers most recently added to the catalog, of {{ page_obj.paginator.count|floatformat:"g" }}.</p>{% endif %}
    <ul>{% for other in coauthors %}<li><a href="{{ other.url }}"><span class="label">{{ other.name }}</span> <span class="count">{{ other.shared|floatformat:"g" }}</span></a></li>{% empty %}<li>None recorded.</li>{% endfor %}</ul>
  </section>
  <section aria-labelledby="venues-heading">
    <h2 id="venues-heading">Venues</h2>
    {% if venue_count > venues|length %}<p class="note">The {{ venues|length }} most frequent of {{ venue_count|floatformat:"g" }}.</p>{% endif %}
    <ul>{% for venue in venues %}<li><a href="{{ venue.url }}"><span class="label">{{ venue.name }}</span> <span class="count">{{ venue.shared|floatformat:"g" }}</span></a></li>{% empty %}<li>None recorded.</li>{% endfor %}</ul>
  </section>
</aside>
"""  # noqa: E501
)

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def counted(n: int, name: str = "Ada") -> list[Counted]:
    return [
        Counted(f"{name} {i}", f"/people/{name.lower()}-{i}/?a=1&b=<2>", 100 - i) for i in range(n)
    ]


@pytest.mark.parametrize(
    "values",
    [
        {
            "coauthors": counted(3),
            "coauthor_papers": None,
            "venues": counted(2, "V"),
            "venue_count": 2,
        },
        {
            "coauthors": counted(5),
            "coauthor_papers": 1000,
            "venues": counted(5, "V"),
            "venue_count": 7,
        },
        {"coauthors": [], "coauthor_papers": None, "venues": [], "venue_count": 0},
        {  # numbers grouped by thousands
            "coauthors": [Counted("Ada", "/people/ada/", 1500)],
            "coauthor_papers": 1000,
            "venues": [Counted("Big", "/venues/big/", 2400)],
            "venue_count": 12000,
        },
        {
            "coauthors": [Counted(HOSTILE, HOSTILE, 3)],
            "coauthor_papers": None,
            "venues": [Counted(HOSTILE, "/venues/x/", 1)],
            "venue_count": 1,
        },
    ],
)
@pytest.mark.parametrize("name", ["Stella Biderman", HOSTILE])
def test_the_sidebar_is_the_html_the_template_wrote(values, name):
    shown = 5
    paper_count = 2482
    expected = SIDEBAR_TEMPLATE.render(
        Context(
            {
                "person": {"name": name},
                "coauthors_shown": shown,
                "page_obj": {"paginator": {"count": paper_count}},
                **values,
            }
        )
    )
    html = sidebar_html(name, paper_count=paper_count, coauthors_shown=shown, **values)
    assert html == expected
    assert "<script>" not in expected
