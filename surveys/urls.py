from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.survey, name="survey"),
    path("s/<str:token>/afmelden/", views.opt_out, name="opt_out"),
    path("s/<str:token>/<slug:page>/", views.survey_page, name="survey_page"),
    path("waves/", views.wave_overview, name="wave_overview"),
    path("waves/<str:brin>/<str:wave_code>/extra-reminder/", views.extra_reminder, name="extra_reminder"),
]
