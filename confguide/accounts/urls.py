"""Accounts: allauth's pages, and the hand-written accounts' old paths redirected to them."""

from django.urls import include, path

from confguide.accounts.views import OldResetLink, moved_to

urlpatterns = [
    path("", include("allauth.urls")),
    # /accounts/password/change/ and /accounts/password/reset/ kept their paths.
    path("sign-up/", moved_to("account_signup")),
    path("sign-in/", moved_to("account_login")),
    path("sign-out/", moved_to("account_logout")),
    path("password/change/done/", moved_to("account_change_password")),
    path("password/reset/sent/", moved_to("account_reset_password_done")),
    path("password/reset/complete/", moved_to("account_login")),
    path("password/reset/<uidb64>/<token>/", OldResetLink.as_view()),
]
