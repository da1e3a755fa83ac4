"""Errors of the core that a human acts on: configuration, database set-up."""

from __future__ import annotations


class ArcadiaError(Exception):
    """Base of arcadia-cloud's own errors."""


class ConfigError(ArcadiaError):
    """A setting is missing or wrong; the message names the setting and what to do."""
