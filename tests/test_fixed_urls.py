"""core.slugs.fixed_url() and `{% fixed_url %}`: reverse() and `{% url %}`
resolved once, and still right under another script prefix."""

import pytest
from django.template import engines
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
