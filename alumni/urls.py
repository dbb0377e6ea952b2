from django.urls import path

from . import views

app_name = "alumni"
urlpatterns = [
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/format/", views.upload_format, name="upload_format"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("uploads/<int:pk>/discard/", views.upload_discard, name="upload_discard"),
    path("uploads/<int:pk>/problems.csv", views.upload_problems_csv, name="upload_problems_csv"),
    path("uploads/<int:pk>/rows-to-fix.csv", views.upload_rejected_rows_csv, name="upload_rejected_rows_csv"),
]
