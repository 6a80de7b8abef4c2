"""`{% fixed_url 'app:name' %}`: `{% url 'app:name' %}` for the links every page
repeats (core.slugs.fixed_url(): resolved once, not on every page)."""

from django import template

from core.slugs import fixed_url as resolved

register = template.Library()


@register.simple_tag(name="fixed_url")
def fixed_url(viewname, *args):
    # Escaped as {% url %} escapes (simple tags are, with autoescaping on).
    return resolved(viewname, *(str(arg) for arg in args))
