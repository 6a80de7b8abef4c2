"""PaperFilter builds its form class once: each filterset still validates
its own parameters, and answers the same however often it is asked."""

import copy

import django_filters
import pytest
from django.http import QueryDict

from catalog.filters import PaperFilter, shallow_copy
from catalog.models import Paper


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


def test_filtersets_own_their_filters_and_leave_the_declarations_alone():
    """Each FilterSet's filters are copies whose method proxies find the
    method on that FilterSet (PaperFilter.base_filters copies shallowly)."""
    first = PaperFilter(data=QueryDict("venue=icml"))
    second = PaperFilter(data=QueryDict("venue=neurips"))
    for name, declared in PaperFilter.base_filters.items():
        assert first.filters[name] is not declared
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert not hasattr(declared, "parent")
        if declared.method is not None:
            assert first.filters[name].filter.f is first.filters[name]
    # Each filters by its own parameters.
    assert "icml" in str(first.qs.query) and "neurips" not in str(first.qs.query)
    assert "neurips" in str(second.qs.query) and "icml" not in str(second.qs.query)


def test_forms_own_shallow_copies_of_the_fields_and_validate_alike():
    """Each form's fields are its own shallow copies of the form class's (no
    deep copy of widgets and choices: the form is only validated), and a
    form validates exactly as a form with deep-copied fields does."""
    queries = ["year=abc&venue=icml&venue=icml&sort=bogus", "year=2023&author=ada&q=%20x%20"]
    forms = [PaperFilter(data=QueryDict(query)).form for query in queries]
    declared = type(forms[0]).base_fields
    for name, field in declared.items():
        assert (
            forms[0].fields[name] is not field
            and forms[0].fields[name] is not forms[1].fields[name]
        )
        assert forms[0].fields[name].widget is field.widget
    for query, form in zip(queries, forms, strict=True):
        deep = type(form)(data=QueryDict(query))
        deep.fields = {name: copy.deepcopy(field) for name, field in declared.items()}
        assert form.is_valid() == deep.is_valid()
        assert (form.errors, form.cleaned_data) == (deep.errors, deep.cleaned_data)


def test_the_shallow_copies_are_what_copy_copy_makes():
    """For every declared filter and form field: the same type and state."""
    fields = type(PaperFilter(data=QueryDict()).form).base_fields
    for obj in [*PaperFilter.base_filters.values(), *fields.values()]:
        copied, plain = shallow_copy(obj), copy.copy(obj)
        assert type(copied) is type(plain) and copied is not obj
        assert copied.__dict__ == plain.__dict__


@pytest.mark.parametrize(
    "query",
    [
        "",
        "venue=icml&year_from=2020&sort=title",
        "venue=icml&venue=neurips&author=ada&award=oral&year=2021&sort=oldest",
        "author=ada&sort=upvotes",
    ],
)
def test_the_results_without_their_order_are_the_filters_applied_once_more(query):
    """queryset_without() of no filter is the list's results unsorted: the
    same SQL as every filter applied again (django-filter's own loop)."""
    filterset = PaperFilter(data=QueryDict(query), queryset=Paper.objects.all())
    assert filterset.is_valid()
    again = django_filters.FilterSet.filter_queryset(filterset, filterset.queryset.all())
    assert str(filterset.queryset_without().query) == str(again.query)


@pytest.mark.parametrize(
    "query",
    [
        "venue=icml&year_from=2015&author=ada",
        "award=oral&year=2023",
        "author=ada&author=bo&award=oral",
        "year=abc&author=ada",
        "venue=icml",
        "author=&award=",
    ],
)
def test_the_walk_starts_from_the_lists_own_filters_and_tests_membership_hashed(query):
    """walk_queryset() takes what the list's filters give before the author
    and award ones (not built again) and adds those as hashed tests: the
    same query as every filter applied again with membership hashed."""
    filterset = PaperFilter(data=QueryDict(query), queryset=Paper.objects.for_list())
    walk = filterset.walk_queryset()
    again = PaperFilter(data=QueryDict(query), queryset=Paper.objects.for_list())
    again._hashed_membership = True
    expected = again.queryset_without()
    assert str(walk.query) == str(expected.query)
    # The list itself keeps its semi-joins, built before the walk or after.
    first = PaperFilter(data=QueryDict(query), queryset=Paper.objects.for_list())
    plain = str(first.qs.query)
    assert "IS TRUE" not in plain and str(filterset.qs.query) == plain
    if "author=ada" in query or "award=oral" in query:
        assert "IS TRUE" in str(walk.query)
