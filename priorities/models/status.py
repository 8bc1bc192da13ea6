"""Delivery statuses (names other systems code against, API.md) and their RAG colours."""

from django.db import models


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    ON_TRACK = "on-track", "On track"
    AT_RISK = "at-risk", "At risk"
    OFF_TRACK = "off-track", "Off track"
    COMPLETE = "complete", "Complete"
