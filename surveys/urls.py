from django.urls import path

from . import views
from .link import urls as link_urls

app_name = "surveys"
urlpatterns = [
    *link_urls.urlpatterns,
    path("waves/", views.wave_overview, name="wave_overview"),
    path("waves/<str:brin>/<str:wave_code>/extra-reminder/", views.extra_reminder, name="extra_reminder"),
]
