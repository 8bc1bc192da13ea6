"""Governance demo data (issue 6): facts in `governance_facts.yaml`, written by `loader.py`."""

from .loader import register_demo_step

__all__ = ["register_demo_step"]
