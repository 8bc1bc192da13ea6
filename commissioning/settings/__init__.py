"""Settings: `base` is the embedded default (SQLite, eager tasks); `production` hardens it.

Everything that differs between machines comes from the environment.
"""
