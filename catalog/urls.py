from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("papers/", views.PaperListView.as_view(), name="paper-list"),
    path("papers/<slug:slug>/", views.PaperDetailView.as_view(), name="paper-detail"),
    path("awards/", views.AwardListView.as_view(), name="award-list"),
    path("awards/<slug:slug>/", views.AwardDetailView.as_view(), name="award-detail"),
]
