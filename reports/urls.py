from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("raw-responses.csv", views.raw_export, name="raw_export"),
    path("cross/", views.cross_report, name="cross"),
    path("cross/export.<str:fmt>", views.cross_export, name="cross_export"),
    path("i/<str:brin>/", views.institution_report, name="institution"),
    path("i/<str:brin>/export.<str:fmt>", views.institution_export, name="institution_export"),
    path("i/<str:brin>/summary/<str:programme>/", views.programme_summary, name="programme_summary"),
    path("i/<str:brin>/monitoring/", views.monitoring, name="monitoring"),
    path("i/<str:brin>/network/", views.network, name="network"),
]
