from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="list"),
    path("<slug:slug>/", views.PersonDetailView.as_view(), name="detail"),
]
