from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entries, name="entries"),
    path("export.csv", views.entries_csv, name="entries_csv"),
]
