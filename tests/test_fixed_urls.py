"""core.slugs.fixed_url() and `{% fixed_url %}`: reverse() and `{% url %}`
resolved once, and still right under another script prefix."""

import pytest
from django.template import engines
from django.template.loader import get_template
from django.urls import reverse, set_script_prefix

from core.slugs import fixed_url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("name", "args"),
    [("catalog:paper-list", ()), ("catalog:feed", ()), ("catalog:list-export", ("bib",))],
)
def test_fixed_url_is_what_reverse_gives(name, args):
    assert fixed_url(name, *args) == reverse(name, args=args)


def test_fixed_url_follows_the_script_prefix(script_prefix):
    assert fixed_url("catalog:paper-list") == "/papers/"
    script_prefix("/catalog/")
    assert fixed_url("catalog:paper-list") == "/catalog/papers/" == reverse("catalog:paper-list")
    script_prefix("/")
    assert fixed_url("catalog:paper-list") == "/papers/"


def test_the_tag_writes_what_the_url_tag_writes():
    render = lambda text: engines["django"].from_string(text).render({})  # noqa: E731
    for name in ("catalog:home", "people:list", "api:paper-list"):
        assert render(f"{{% load fixed_urls %}}{{% fixed_url '{name}' %}}") == render(
            f"{{% url '{name}' %}}"
        )
    assert render("{% load fixed_urls %}{% fixed_url 'catalog:list-export' 'ris' %}") == render(
        "{% url 'catalog:list-export' 'ris' %}"
    )


def _render(text: str, **context) -> str:
    return engines["django"].from_string("{% load fixed_urls %}" + text).render(context)


def test_a_fixed_fragment_is_rendered_once_per_arguments(settings, monkeypatch):
    from core.templatetags import fixed_urls

    settings.DEBUG = False
    loaded = []
    monkeypatch.setattr(
        fixed_urls, "get_template", lambda name: loaded.append(name) or get_template(name)
    )
    fixed_urls._rendered_once.cache_clear()
    tag = "{% fixed_fragment 'includes/site_header.html' current=name %}"
    papers = _render(tag, name="catalog:paper-list")
    assert _render(tag, name="catalog:paper-list") == papers
    people = _render(tag, name="people:list")
    assert len(loaded) == 2
    # The page's own link is the one marked, whichever was rendered first.
    assert f'<a href="{reverse("catalog:paper-list")}" aria-current="page">Papers' in papers
    assert f'<a href="{reverse("people:list")}" aria-current="page">People' in people
    assert papers.count("aria-current") == people.count("aria-current") == 1


def test_a_fixed_fragment_follows_the_script_prefix(settings, script_prefix):
    settings.DEBUG = False
    tag = "{% fixed_fragment 'includes/head_links.html' %}"
    assert f'href="{reverse("catalog:feed")}"' in _render(tag)
    script_prefix("/catalog/")
    assert f'href="{reverse("catalog:feed")}"' in _render(tag)
    assert reverse("catalog:feed").startswith("/catalog/")


def test_with_debug_a_fixed_fragment_is_rendered_every_time(settings, monkeypatch):
    from core.templatetags import fixed_urls

    settings.DEBUG = True
    loaded = []
    monkeypatch.setattr(
        fixed_urls, "get_template", lambda name: loaded.append(name) or get_template(name)
    )
    _render("{% fixed_fragment 'includes/head_links.html' %}")
    _render("{% fixed_fragment 'includes/head_links.html' %}")
    assert len(loaded) == 2


@pytest.mark.django_db
def test_pages_mark_their_own_link_in_the_header(client):
    for path, label in (("/papers/", "Papers"), ("/people/", "People"), ("/venues/", "Venues")):
        header = client.get(path).content.decode().split("</header>")[0]
        assert header.count('aria-current="page"') == 1
        assert f'aria-current="page">{label}</a>' in header
    # The header and what follows it, as base.html wrote them before.
    assert "</form>\n  </header>\n  <main" in client.get("/papers/").content.decode()
