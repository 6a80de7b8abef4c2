from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("api/", views.ApiHomeView.as_view(), name="home"),
    path("api/v1/openapi.json", views.OpenAPIView.as_view(), name="openapi"),
    path("api/v1/papers", views.PaperListView.as_view(), name="paper-list"),
    path("api/v1/papers/<str:slug>", views.PaperDetailView.as_view(), name="paper-detail"),
    path("api/v1/people", views.PersonListView.as_view(), name="person-list"),
    path("api/v1/people/<str:slug>", views.PersonDetailView.as_view(), name="person-detail"),
    path("api/v1/venues", views.VenueListView.as_view(), name="venue-list"),
    path("api/v1/venues/<str:slug>", views.VenueDetailView.as_view(), name="venue-detail"),
    path("api/v1/awards", views.AwardListView.as_view(), name="award-list"),
    path("api/v1/awards/<str:slug>", views.AwardDetailView.as_view(), name="award-detail"),
    path("api/v1/<path:rest>", views.NotFoundView.as_view(), name="not-found"),
]
