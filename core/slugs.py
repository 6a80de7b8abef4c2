"""Slugs: slugified names, suffixed only on a collision.

Slugs are part of public URLs, so they are made once and never recomputed
when a name changes.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.text import slugify

# Letters that Unicode does not decompose into an ASCII base letter, so
# slugify() would drop them ("Połacin" -> "poacin").
_TRANSLITERATE = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "ð": "d",
        "\u0131": "i",  # dotless i
    }
)


def slug_base(text: str, *, max_length: int = 80, fallback: str = "item") -> str:
    """The slug a name gets before any collision suffix."""
    slug = slugify(text.translate(_TRANSLITERATE))
    if len(slug) > max_length:
        # Cut at a word boundary so the URL stays readable.
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or fallback


def next_free_slug(base: str, taken) -> str:
    """`base`, or `base-2`, `base-3`, … whichever is not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def unique_slug_for(
    instance, text: str, *, max_length: int = 80, fallback: str = "item", reserved=frozenset()
) -> str:
    """A slug for `instance` that no other row of its model uses, and not a `reserved` one."""
    base = slug_base(text, max_length=max_length, fallback=fallback)
    others = type(instance)._default_manager.filter(slug__startswith=base)
    if instance.pk:
        others = others.exclude(pk=instance.pk)
    return next_free_slug(base, set(others.values_list("slug", flat=True)) | set(reserved))


# What the `slug` path converter accepts (django.urls.converters.SlugConverter).
_SLUG_PATH = re.compile(r"[-a-zA-Z0-9_]+")
_MARK = "papershelf-slug-mark"


@functools.lru_cache(maxsize=128)
def _url_around_slug(viewname: str, prefix: str, urlconf: str) -> tuple[str, str]:
    # `prefix` and `urlconf` only key the cache: reverse() reads both itself.
    return tuple(reverse(viewname, kwargs={"slug": _MARK}).rsplit(_MARK, 1))


def slug_url(viewname: str, slug: str) -> str:
    """reverse(viewname, kwargs={"slug": slug}), without resolving the pattern
    again for every row: a list page links ~150 people, venues and awards, and
    reverse() was a fifth of its rendering time at 100,000 papers.
    The URL around the slug is resolved once per view name, script prefix and
    URL configuration; a slug the converter would refuse still goes through
    reverse(), which raises NoReverseMatch as before."""
    return slug_urls(viewname)(slug)


def url_setting() -> tuple[str, str]:
    """What reverse() reads besides its arguments: the script prefix and the
    URL configuration. They are context-local variables, whose every read
    takes a lock (~4 µs each): read once for the URLs of a list
    (slug_urls(), fixed_url()), not once per view name."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def slug_urls(viewname: str, setting: tuple[str, str] | None = None):
    """slug_url() for many slugs of one view: a function of the slug, with the
    script prefix and URL configuration read once (or given: url_setting()),
    not once per slug (a tenth of preparing a list's rows)."""
    before, after = _url_around_slug(viewname, *(setting or url_setting()))

    def url(slug: str) -> str:
        if not _SLUG_PATH.fullmatch(slug):
            return reverse(viewname, kwargs={"slug": slug})
        return before + slug + after

    return url


@functools.lru_cache(maxsize=256)
def _fixed_url(viewname: str, args: tuple[str, ...], prefix: str, urlconf: str) -> str:
    # `prefix` and `urlconf` only key the cache: reverse() reads both itself.
    return reverse(viewname, args=args)


def fixed_url(viewname: str, *args: str, setting: tuple[str, str] | None = None) -> str:
    """reverse(viewname, args=args), resolved once per view name, arguments,
    script prefix and URL configuration (`setting`: url_setting(), read
    here when not given): for the links every page repeats (the site's
    navigation, the list's exports), where reverse() cost ~40 µs each under
    load, a tenth of a millisecond per page for the navigation alone. Only
    for a few fixed arguments (format extensions), never a slug or a
    visitor's value: slug_url() is for those."""
    return _fixed_url(viewname, args, *(setting or url_setting()))
