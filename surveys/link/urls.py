"""The routes behind the personal link; every one checks the token's shape.

The graduate's own page comes before the questionnaire's ``<slug:page>``
route, which would otherwise take "mijn-gegevens" for a page name.
"""

from django.urls import path, re_path, register_converter

from . import own_data, views
from .tokens import TokenConverter

register_converter(TokenConverter, "token")

urlpatterns = [
    path("s/<token:token>/", views.survey, name="survey"),
    path("s/<token:token>/afmelden/", views.opt_out, name="opt_out"),
    path("s/<token:token>/mijn-gegevens/", own_data.own_data, name="own_data"),
    path("s/<token:token>/mijn-gegevens/wissen/", own_data.own_data_erase, name="own_data_erase"),
    path("s/<token:token>/<slug:page>/", views.survey_page, name="survey_page"),
    re_path(r"^s/(?P<rest>.*)$", views.unknown_link, name="unknown_link"),
]
