from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    # First: the graduates' links are most of the traffic, and URLs are tried in order.
    path("", include("surveys.urls")),
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("alumni.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
]

if settings.DEV_MAILBOX:
    # The local mailbox shows every mail "sent" (survey links included): only
    # config.settings.local turns it on; production and test settings never mount it.
    from . import devmail

    urlpatterns.append(path("dev/mail/", devmail.mailbox, name="dev_mailbox"))
