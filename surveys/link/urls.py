"""The routes behind the personal link; every one checks the token's shape."""

from django.urls import path, re_path, register_converter

from . import views
from .tokens import TokenConverter

register_converter(TokenConverter, "token")

urlpatterns = [
    path("s/<token:token>/", views.survey, name="survey"),
    path("s/<token:token>/afmelden/", views.opt_out, name="opt_out"),
    path("s/<token:token>/<slug:page>/", views.survey_page, name="survey_page"),
    re_path(r"^s/(?P<rest>.*)$", views.unknown_link, name="unknown_link"),
]
