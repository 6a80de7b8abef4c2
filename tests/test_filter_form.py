"""PaperFilter builds its form class once: each filterset still validates
its own parameters, and answers the same however often it is asked."""

from django.http import QueryDict

from catalog.filters import PaperFilter


def test_filtersets_share_one_form_class_but_not_their_values_or_errors():
    first = PaperFilter(data=QueryDict("year=abc&venue=icml&sort=bogus"))
    second = PaperFilter(data=QueryDict("year=2023&author=ada"))
    assert type(first.form) is type(second.form)
    assert first.form is not second.form
    assert not first.is_valid() and second.is_valid()
    assert set(first.form.errors) == {"year", "sort"} and not second.form.errors
    assert first.active().venues == ("icml",) and first.active().year is None
    assert second.active().year == 2023 and second.active().authors == ("ada",)
    # Asked again: the same answers (worked out once).
    assert not first.is_valid() and first.active() is first.active()
