"""A static catalog of DigitalOcean slugs that provisioning run config is checked against.

Checked before any DO call, so a typo fails at once with the field named instead of after a
round-trip (or, worse, after a droplet was half made). Update it when DO adds a region or plan;
an image may also be given as the numeric id of a snapshot or custom image.
"""

from __future__ import annotations

import difflib
import re

_IMAGE_ID = re.compile(r"[1-9][0-9]{0,19}")

REGIONS: frozenset[str] = frozenset(
    {
        "nyc1", "nyc2", "nyc3", "sfo1", "sfo2", "sfo3", "ams2", "ams3", "sgp1", "lon1",
        "fra1", "tor1", "blr1", "syd1", "atl1",
    }
)  # fmt: skip

SIZES: frozenset[str] = frozenset(
    {
        # Basic (shared CPU)
        "s-1vcpu-512mb-10gb", "s-1vcpu-1gb", "s-1vcpu-1gb-amd", "s-1vcpu-1gb-intel",
        "s-1vcpu-2gb", "s-1vcpu-2gb-amd", "s-1vcpu-2gb-intel", "s-1vcpu-3gb", "s-2vcpu-2gb",
        "s-2vcpu-2gb-amd", "s-2vcpu-2gb-intel", "s-2vcpu-4gb", "s-2vcpu-4gb-amd",
        "s-2vcpu-4gb-intel", "s-2vcpu-8gb-amd", "s-3vcpu-1gb", "s-4vcpu-8gb", "s-4vcpu-8gb-amd",
        "s-4vcpu-8gb-intel", "s-4vcpu-16gb-amd", "s-6vcpu-16gb", "s-8vcpu-16gb",
        "s-8vcpu-16gb-amd", "s-8vcpu-16gb-intel", "s-8vcpu-32gb",
        # General purpose
        "g-2vcpu-8gb", "g-4vcpu-16gb", "g-8vcpu-32gb", "g-16vcpu-64gb", "g-32vcpu-128gb",
        "g-40vcpu-160gb", "gd-2vcpu-8gb", "gd-4vcpu-16gb", "gd-8vcpu-32gb",
        # CPU-optimized
        "c-1vcpu-2gb", "c-2", "c-4", "c-8", "c-16", "c-32", "c2-2vcpu-4gb", "c2-4vcpu-8gb",
        "c2-8vcpu-16gb",
        # Memory-optimized
        "m-1vcpu-8gb", "m-2vcpu-16gb", "m-4vcpu-32gb", "m-8vcpu-64gb", "m-16vcpu-128gb",
        "m-24vcpu-192gb", "m-32vcpu-256gb", "m3-2vcpu-16gb", "m3-4vcpu-32gb", "m3-8vcpu-64gb",
        "m3-16vcpu-128gb", "m3-24vcpu-192gb", "m3-32vcpu-256gb", "m6-2vcpu-16gb",
        "m6-4vcpu-32gb", "m6-8vcpu-64gb", "m6-16vcpu-128gb", "m6-24vcpu-192gb",
        "m6-32vcpu-256gb",
        # Storage-optimized
        "so-2vcpu-16gb", "so-4vcpu-32gb", "so-8vcpu-64gb", "so1_5-2vcpu-16gb",
        "so1_5-4vcpu-32gb",
    }
)  # fmt: skip

IMAGES: frozenset[str] = frozenset(
    {
        "ubuntu-24-04-x64", "ubuntu-22-04-x64", "ubuntu-20-04-x64", "ubuntu-24-10-x64",
        "debian-12-x64", "debian-11-x64", "fedora-40-x64", "fedora-41-x64",
        "rockylinux-9-x64", "rockylinux-8-x64", "almalinux-9-x64", "almalinux-8-x64",
        "centos-stream-9-x64",
    }
)  # fmt: skip

DEFAULT_REGION = "nyc3"
DEFAULT_SIZE = "s-1vcpu-1gb"
DEFAULT_IMAGE = "ubuntu-24-04-x64"


def _unknown(field: str, kind: str, value: object, known: frozenset[str]) -> ValueError:
    hint = difflib.get_close_matches(str(value), sorted(known), n=3)
    suggestion = f"; did you mean {', '.join(hint)}?" if hint else ""
    return ValueError(f"{field}: unknown DigitalOcean {kind} slug {value!r}{suggestion}")


def check_region(value: object, *, field: str = "region") -> str:
    """``value`` if it is a known region slug; else `ValueError` naming ``field``."""
    if isinstance(value, str) and value in REGIONS:
        return value
    raise _unknown(field, "region", value, REGIONS)


def check_size(value: object, *, field: str = "size") -> str:
    """``value`` if it is a known droplet size slug; else `ValueError` naming ``field``."""
    if isinstance(value, str) and value in SIZES:
        return value
    raise _unknown(field, "size", value, SIZES)


def check_image(value: object, *, field: str = "image") -> str:
    """A known image slug, or the numeric id of a snapshot/custom image (as a string)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and (value in IMAGES or _IMAGE_ID.fullmatch(value)):
        return value
    raise _unknown(field, "image", value, IMAGES)
