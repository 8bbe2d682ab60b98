"""URLs carry no language prefix: addresses printed on flyers work in both languages."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, views
from .forms import EmailAuthenticationForm

admin.site.site_header = _("PsyNet administration")
admin.site.site_title = "PsyNet"

core_patterns = (
    [
        path("network/choose/", views.network_choose, name="network_choose"),
        path("notifications/", views.notification_list, name="notification_list"),
        path("network/zones/", views.zone_list, name="zone_list"),
        path("network/zones/new/", views.zone_create, name="zone_create"),
        path("network/zones/<int:pk>/", views.zone_update, name="zone_update"),
        path("network/members/", views.member_list, name="member_list"),
        path("network/members/invite/", views.member_invite, name="member_invite"),
        path("network/members/<int:pk>/", views.member_update, name="member_update"),
        path("network/psychologists/", views.psychologist_list, name="psychologist_list"),
        path("network/psychologists/new/", views.psychologist_create, name="psychologist_create"),
        path("network/psychologists/<int:pk>/", views.psychologist_detail, name="psychologist_detail"),
        path("network/psychologists/<int:pk>/edit/", views.psychologist_update, name="psychologist_update"),
        path("network/conventions/<int:pk>/", views.convention_update, name="convention_update"),
        path("network/organisations/", views.organisation_list, name="organisation_list"),
        path("network/organisations/new/", views.organisation_create, name="organisation_create"),
        path("network/organisations/<int:pk>/", views.organisation_update, name="organisation_update"),
        path("network/audit/", views.audit_list, name="audit_list"),
    ],
    "psynet",
)

account_patterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm,
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        html_email_template_name=None, extra_email_context=None), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        post_reset_login=True, post_reset_login_backend="django.contrib.auth.backends.ModelBackend"),
        name="password_reset_confirm"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("", views.home_view, name="home"),
    path("health/", health.health, name="health"),
    path("health/ping/", health.ping, name="ping"),
    path("language/", views.language_switch, name="set_language"),
    path("accounts/", include(account_patterns)),
    path("", include(core_patterns)),
    path("reports/", include("annual_reports.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("collaboration/", include("partnerships.public_urls")),
    path("article8/", include("article8.urls")),
    path("billing/", include("billing.urls")),
    path("figures/", include("figures.urls")),
    path("care-offer/", include("care_offer.urls")),
    path("apply/", include("care_offer.public_urls")),
    path("admin/", admin.site.urls),
]
