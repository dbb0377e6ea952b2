from django.urls import path

from . import views
from .graduates import views as graduates

app_name = "alumni"
urlpatterns = [
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/format/", views.upload_format, name="upload_format"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("uploads/<int:pk>/discard/", views.upload_discard, name="upload_discard"),
    path("uploads/<int:pk>/problems.csv", views.upload_problems_csv, name="upload_problems_csv"),
    path("uploads/<int:pk>/rows-to-fix.csv", views.upload_rejected_rows_csv, name="upload_rejected_rows_csv"),
    path("graduates/", graduates.graduate_list, name="graduate_list"),
    path("graduates/to-fix/", graduates.to_fix, name="graduates_to_fix"),
    path("graduates/to-fix.csv", graduates.to_fix_download, name="graduates_to_fix_csv"),
    path("graduates/<int:pk>/", graduates.graduate_detail, name="graduate_detail"),
    path("graduates/<int:pk>/email/", graduates.graduate_email, name="graduate_email"),
    path(
        "graduates/<int:pk>/invitations/<int:invitation_pk>/resend/",
        graduates.invitation_resend,
        name="invitation_resend",
    ),
    path("graduates/<int:pk>/erase/", graduates.graduate_erase, name="graduate_erase"),
]
