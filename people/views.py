from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.views.generic import DetailView, ListView

from catalog.charts import year_chart
from catalog.models import Paper
from catalog.search import MAX_QUERY_LENGTH, filter_folded_contains
from catalog.views import (
    CleanParametersMixin,
    export_links,
    index_context,
    paginate_papers,
    sorted_index,
    years_and_total,
)
from people.models import Person, PersonAlias
from venues.models import Venue


class PersonListView(CleanParametersMixin, ListView):
    """Everyone with a paper count; `?q=` searches names and name variants."""

    template_name = "people/person_list.html"
    paginate_by = 50

    def get_queryset(self):
        people = Person.objects.with_paper_count()
        self.search = (self.request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        if self.search:
            by_alias = filter_folded_contains(PersonAlias.objects.all(), "name", self.search)
            by_name = filter_folded_contains(Person.objects.all(), "name", self.search)
            people = people.filter(
                Q(pk__in=by_name.values("pk")) | Q(pk__in=by_alias.values("person_id"))
            )
        return sorted_index(self, people)

    def get_context_data(self, **kwargs):
        return super().get_context_data(search=self.search, **index_context(self), **kwargs)


# The most frequent co-authors only: a prolific author has thousands (issue 7).
COAUTHORS_SHOWN = 50


class PersonDetailView(CleanParametersMixin, DetailView):
    template_name = "people/person_detail.html"

    def get_queryset(self):
        return Person.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        person = self.object
        papers = Paper.objects.for_list().by_person(person).newest_first()
        # filter() before annotate(): the counts are over this person's papers only.
        coauthors = (
            Person.objects.filter(authorships__paper__authorships__person=person)
            .exclude(pk=person.pk)
            .annotate(shared=Count("authorships__paper", distinct=True))
            .order_by("-shared", "name")[:COAUTHORS_SHOWN]
        )
        venues = (
            Venue.objects.filter(papers__authorships__person=person)
            .annotate(shared=Count("papers", distinct=True))
            .order_by("-shared", "name")
        )
        years, total = years_and_total(Paper.objects.by_person(person))
        return super().get_context_data(
            page_obj=paginate_papers(self.request, papers, count=total),
            coauthors=coauthors,
            coauthors_shown=COAUTHORS_SHOWN,
            venues=venues,
            chart=year_chart(years, author=person.slug),
            exports=export_links(QueryDict(), author=person.slug),
            feed_url=reverse("catalog:person-feed", args=[person.slug]),
            **kwargs,
        )
