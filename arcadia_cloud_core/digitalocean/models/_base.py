"""Shared pieces of the payload models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from arcadia_cloud_core.digitalocean.fields import FieldError, opt_mapping, opt_str


def raw_field() -> Any:
    """The ``raw`` payload field: kept for attrs, left out of repr, equality and hash."""
    return field(repr=False, compare=False, hash=False)


def region_slug(payload: Mapping[str, Any], field_name: str = "region") -> str | None:
    """A region slug from either an embedded region object or a bare slug string."""
    value = payload.get(field_name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return opt_str(opt_mapping(payload, field_name), "slug")
    raise FieldError(field_name, f"expected a region object or slug, got {type(value).__name__}")


def req_region_slug(payload: Mapping[str, Any], field_name: str = "region") -> str:
    """A required region slug."""
    slug = region_slug(payload, field_name)
    if slug is None:
        raise FieldError(f"{field_name}.slug", "missing")
    return slug
