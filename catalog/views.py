from django.views.generic import DetailView, ListView

from catalog.models import Award, Paper


class PaperListView(ListView):
    paginate_by = 25
    template_name = "catalog/paper_list.html"

    def get_queryset(self):
        return Paper.objects.for_list().newest_first()


class PaperDetailView(DetailView):
    template_name = "catalog/paper_detail.html"

    def get_queryset(self):
        return Paper.objects.for_detail()


class AwardDetailView(DetailView):
    model = Award
    template_name = "catalog/award_detail.html"
