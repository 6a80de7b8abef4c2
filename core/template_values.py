"""Plain values that templates read many times a page."""


class TemplateValues:
    """A value read by templates as `{{ entry.url }}`: Django first tries
    `entry["url"]`, and on an object without __getitem__ raises and catches
    a TypeError before it reads the attribute. Answering the item lookup
    with the attribute spares that exception: 40% of the time of rendering
    a list's facets (a hundred-odd entries, six lookups each)."""

    __slots__ = ()

    def __getitem__(self, name):
        try:
            return getattr(self, name)
        except (AttributeError, TypeError):  # TypeError: a number, as in `entries.0`
            raise KeyError(name) from None
