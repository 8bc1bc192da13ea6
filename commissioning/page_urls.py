"""Browser pages of the core domain."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("ccgs/switch/", views.ccg_switch, name="ccg-switch"),
    path("ccgs/<str:ods>/", views.ccg_detail, name="ccg-detail"),
]
