"""`{% fixed_url 'app:name' %}`: `{% url 'app:name' %}` for the links every page
repeats (core.slugs.fixed_url(): resolved once, not on every page).

`{% fixed_fragment 'includes/x.html' key=value %}`: a part of every page that
depends on nothing but its arguments, fixed URLs and static files (the site's
header), rendered once per process for each set of arguments.
"""

import functools

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf

from core.slugs import fixed_url as resolved

register = template.Library()


@register.simple_tag(name="fixed_url")
def fixed_url(viewname, *args):
    # Escaped as {% url %} escapes (simple tags are, with autoescaping on).
    return resolved(viewname, *(str(arg) for arg in args))


@register.simple_tag(name="fixed_fragment")
def fixed_fragment(template_name, **values):
    """The template rendered with `values` (as strings) alone, no request: once
    per template, values, script prefix and URL configuration. Through the
    template language the site's header cost ~0.2 ms a page (a dozen nodes,
    six URLs, a static file), most of base.html. With DEBUG (the development
    server) rendered every time, so that an edited template shows at once."""
    values = tuple(sorted((key, str(value)) for key, value in values.items()))
    if settings.DEBUG:
        return _render(template_name, values)
    return _rendered_once(
        template_name, values, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )


def _render(template_name: str, values: tuple):
    # Safe HTML: what the template's own autoescaping wrote.
    return get_template(template_name).render(dict(values))


@functools.lru_cache(maxsize=64)
def _rendered_once(template_name: str, values: tuple, prefix: str, urlconf: str):
    # `prefix` and `urlconf` only key the cache: the template's URLs read both.
    return _render(template_name, values)
