"""The paper list's content, title and head blocks, written in Python
(catalog/list_html.py), are the HTML the templates they replace wrote: the same page, byte for byte,
for lists with and without results, chips, problems, pages, searches and
deferred facets, with the cache off and on (the facets fragment)."""

import pytest
from django.core.cache import cache
from django.template import Template

from catalog.templatetags import papershelf
from catalog.views import DEFERRED_PAGE
from core.cache import cache_key, catalog_version

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed", "empty_cache")]

# catalog/paper_list.html's content block as it was (a template).
TEMPLATE_BODY = Template(
    """{% load cache papershelf %}
<h1>Papers</h1>
<div class="browse">
  <section class="results" aria-labelledby="results-heading">
    <h2 id="results-heading" class="visually-hidden">Results</h2>
    <form class="filter-form" method="get" action="{% url 'catalog:paper-list' %}">
      <div class="field">
        <label for="id_q">Search titles, authors and abstracts</label>
        <input type="search" id="id_q" name="q" value="{{ search }}" maxlength="200">
      </div>
      <div class="field year-range">
        <label for="id_year_from">From year</label>
        <input type="number" id="id_year_from" name="year_from" inputmode="numeric" min="1900" max="2100" value="{{ filter.form.cleaned_data.year_from|default_if_none:'' }}">
        <label for="id_year_to">To year</label>
        <input type="number" id="id_year_to" name="year_to" inputmode="numeric" min="1900" max="2100" value="{{ filter.form.cleaned_data.year_to|default_if_none:'' }}">
      </div>
      {% for key, value in hidden_filters %}<input type="hidden" name="{{ key }}" value="{{ value }}">{% endfor %}
      <button type="submit">Search</button>
    </form>

    {% if chips %}
    <div class="chips">
      <h3 class="visually-hidden">Active filters</h3>
      <ul>
        {% for chip in chips %}<li><a href="{{ chip.url }}">{{ chip.label }} <span aria-hidden="true">×</span><span class="visually-hidden"> (remove this filter)</span></a></li>{% endfor %}
        <li><a class="clear" href="{% url 'catalog:paper-list' %}">Clear all</a></li>
      </ul>
    </div>
    {% endif %}

    <div class="result-bar">
      <p class="result-count" role="status">{% if total %}{{ page_obj.start_index|floatformat:"g" }}–{{ page_obj.end_index|floatformat:"g" }} of {{ total_shown }} paper{{ total|pluralize }}{% else %}No papers found{% endif %}</p>
      <nav class="sort" aria-label="Sort">
        <span>Sort:</span>
        <ul>{% for label, url, current in sort_links %}<li><a href="{{ url }}"{% if current %} aria-current="true"{% endif %}>{{ label }}</a></li>{% endfor %}</ul>
      </nav>
    </div>

    {% if object_list %}
    <ol class="paper-list" start="{{ page_obj.start_index }}">
      {% paper_rows object_list 3 %}
    </ol>
    {% include "includes/pagination.html" %}
    {% include "includes/exports_and_feed.html" with exports=export_links %}
    {% else %}
    <div class="empty">
      <p>No papers match {% if chips %}all of these filters{% else %}this request{% endif %}.</p>
      {% if chips %}<p>Try removing one of them:</p>
      <ul>{% for chip in chips %}<li><a href="{{ chip.url }}">Remove {{ chip.label }}</a></li>{% endfor %}</ul>
      <p>Or <a href="{% url 'catalog:paper-list' %}">show all papers</a>.</p>{% endif %}
    </div>
    {% endif %}
  </section>

  {% if facets_urls %}
  <aside class="facets" aria-labelledby="facets-heading" data-facets-fragment="{{ facets_urls.fragment }}">
    <h2 id="facets-heading">Narrow down</h2>
    <p class="facet-note"><a href="{{ facets_urls.page }}" rel="nofollow">Venues, years, awards and top authors of these papers</a></p>
  </aside>
  {% else %}
  {% cache fragment_timeout paper-list-facets catalog_version link_parts %}{% facets_sidebar facets %}{% endcache %}
  {% endif %}
</div>
"""  # noqa: E501, RUF001
)

# Its title and head blocks as they were.
TEMPLATE_TITLE = Template(
    "{% if search %}\u201c{{ search }}\u201d \u2014 {% endif %}Papers"
    "{% if page_obj.number > 1 %} (page {{ page_obj.number }}){% endif %}"
)
TEMPLATE_HEAD = Template(
    """{% load static %}{% if facets_urls %}<script src="{% static 'js/facets.js' %}" defer></script>
{% endif %}<meta name="description" content="{% if total %}{{ total_shown }} paper{{ total|pluralize }}{% else %}No papers{% endif %}{% for chip in chips %}{% if forloop.first %}: {% else %}; {% endif %}{{ chip.label }}{% endfor %}. Search and filter the Papershelf catalog by venue, year, author and award, and export citations.">"""  # noqa: E501
)

HOSTILE = '<b>"it\'s"</b> & co'
URLS = [
    "/papers/",
    "/papers/?page=2",
    "/papers/?sort=title&page=3",
    "/papers/?venue=icml&year_from=2020&year_to=2024",
    "/papers/?venue=icml&venue=neurips&sort=oldest",
    "/papers/?author=stella-biderman&award=no-such-award",
    "/papers/?q=language&year=2023",
    "/papers/?q=" + HOSTILE,
    "/papers/?year=abc&sort=bogus&venue=" + HOSTILE,
    "/papers/?q=language&sort=relevance&page=2",
    "/papers/?year_from=2030",
]


def template_body(context):
    return TEMPLATE_BODY.render(context)


@pytest.mark.parametrize("inline_up_to", [None, 3])
@pytest.mark.parametrize("cached", [False, True])
def test_the_list_page_is_the_one_its_template_wrote(
    client, settings, monkeypatch, inline_up_to, cached
):
    """Each page through list_body() and through the old template, with the
    facets inline or deferred (the limit), the page cache off or on (then
    the second rendering reads the facets fragment the first cached)."""
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = inline_up_to
    settings.PAPERSHELF_CACHE_PAGES = cached
    for url in URLS:
        cache.clear()
        written = client.get(url)
        if cached:  # the page built again, not its cached copy; the fragment stays
            page = cache_key("page", catalog_version(), "http://testserver" + url)
            cache.delete_many([page, page + DEFERRED_PAGE])
        with monkeypatch.context() as patched:
            patched.setattr(papershelf, "list_body", template_body)
            patched.setattr(papershelf, "list_title", TEMPLATE_TITLE.render)
            patched.setattr(papershelf, "list_head", TEMPLATE_HEAD.render)
            rendered = client.get(url)
        assert written.status_code == rendered.status_code == 200, url
        assert written.content.decode() == rendered.content.decode(), url
