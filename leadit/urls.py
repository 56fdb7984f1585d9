from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from leadit.access import public
from leadit.health import healthz
from leadit.media import public_media
from leadit.views import accessibility, contact, home, privacy
from leadit.views_optouts import mail_opt_out

# The admin signs in through allauth: same rate limits, same MFA.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "LeadIT Secretariat"
admin.site.site_title = "LeadIT Secretariat"
admin.site.index_title = "Portal administration"

urlpatterns = [
    path("", public(home), name="home"),
    path("healthz", public(healthz), name="healthz"),
    path("privacy/", public(privacy), name="privacy"),
    path("accessibility/", public(accessibility), name="accessibility"),
    path("contact/", public(contact), name="contact"),
    path("mail/opt-out/<str:token>/", public(mail_opt_out), name="mail_opt_out"),
    path("tracker/", include("tracker.urls")),
    path("members/", include("members.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("technology/", include("technology.urls")),
    path("events/", include("summits.urls")),
    path("workplan/", include("workplan.urls")),
    path("publications/", include("publications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Public uploads only (logos, covers); private files go through views that check access.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public(public_media), name="media"),
]
