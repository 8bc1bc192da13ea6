"""Consultation and milestone pages of a plan: filled in below."""

urlpatterns = []
