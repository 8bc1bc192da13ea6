"""Browser pages of the core domain."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views, views_account

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", views_account.account, name="account"),
    path("ccgs/switch/", views.ccg_switch, name="ccg-switch"),
    path("ccgs/<str:ods>/", views.ccg_detail, name="ccg-detail"),
]
