"""Values read by templates answer item lookups with their attributes, so
templates read them without an exception, and render the same."""

import pytest
from django.template import Context, Template

from catalog.facets import FacetEntry
from catalog.paper_rows import Link


def test_item_lookups_read_the_attributes():
    entry = FacetEntry("ICML", 3, True, "?venue=icml")
    assert entry["label"] == "ICML" and entry["url"] == "?venue=icml"
    with pytest.raises(KeyError):
        entry["no_such_field"]
    with pytest.raises(KeyError):
        Link("/x/", "X")["0"]


def test_templates_render_them_as_before():
    template = Template(
        "{{ e.label }} {{ e.count }} {{ e.active }} {{ e.missing }}|{{ e.0 }}|{{ link.text }}"
    )
    context = Context({"e": FacetEntry("A & B", 7, False, "?"), "link": Link("/x/", "X")})
    assert template.render(context) == "A &amp; B 7 False ||X"
