"""Validate simulator responses against the bundled DigitalOcean OpenAPI 3.0 spec.

    from tests.sim.openapi import validate_response
    validate_response("GET", "/v2/droplets/{droplet_id}", 200, response.json())

The spec (``<repo>/../shared/do-api/do-openapi.json``, 14 MB) is loaded once per process.
Each operation's response schema is converted from OpenAPI 3.0 to JSON Schema (``nullable``
becomes a ``"null"`` type union; ``writeOnly`` properties are not required in responses) and
checked with ``jsonschema``'s Draft 4 validator (OpenAPI 3.0 uses draft-4 style keywords such
as boolean ``exclusiveMinimum``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO.parent / "shared" / "do-api" / "do-openapi.json"


#: Known gaps between the spec and the live API, patched into the converted schemas (none now:
#: project resources list only the URN kinds the spec's pattern allows).
PATTERN_PATCHES: dict[str, str] = {}


class SpecError(LookupError):
    """The spec has no such operation/status/content."""


@cache
def load_spec() -> dict[str, Any]:
    """The bundled spec (every ``$ref`` already resolved)."""
    with SPEC_PATH.open() as fh:
        spec: dict[str, Any] = json.load(fh)
    return spec


def to_json_schema(schema: Any, *, response: bool = True) -> Any:
    """OpenAPI 3.0 schema → JSON Schema (draft 4)."""
    if isinstance(schema, list):
        return [to_json_schema(s, response=response) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            props = {k: to_json_schema(v, response=response) for k, v in value.items()}
            if response:  # a writeOnly property never appears in a response
                props = {k: v for k, v in props.items() if not v.get("writeOnly")}
            out[key] = props
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value, response=response)
        elif key in (
            "example",
            "examples",
            "discriminator",
            "xml",
            "externalDocs",
            "nullable",
            "deprecated",
        ):
            continue
        elif key == "pattern" and isinstance(value, str):
            out[key] = PATTERN_PATCHES.get(value, value)
        else:
            out[key] = value
    if response and "required" in out:
        write_only = {
            k
            for k, v in schema.get("properties", {}).items()
            if isinstance(v, dict) and v.get("writeOnly")
        }
        out["required"] = [r for r in out["required"] if r not in write_only]
        if not out["required"]:
            out.pop("required")
    if schema.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def _operation(method: str, path_template: str) -> dict[str, Any]:
    paths = load_spec()["paths"]
    if path_template not in paths:
        raise SpecError(f"no path {path_template!r} in the spec")
    op = paths[path_template].get(method.lower())
    if op is None:
        raise SpecError(f"no {method.upper()} {path_template} in the spec")
    return op


def declared_statuses(method: str, path_template: str) -> list[str]:
    """The response codes the spec declares for an operation (``default`` included)."""
    return list(_operation(method, path_template)["responses"])


@cache
def _validator(method: str, path_template: str, status: int) -> jsonschema.Draft4Validator | None:
    responses = _operation(method, path_template)["responses"]
    response = responses.get(str(status))
    if response is None:
        raise SpecError(
            f"{method.upper()} {path_template} declares no {status} response "
            f"(declared: {', '.join(responses)})"
        )
    content = response.get("content")
    if not content:
        return None  # e.g. 204: no body
    media = content.get("application/json")
    if media is None or "schema" not in media:
        raise SpecError(
            f"{method.upper()} {path_template} {status} has no JSON schema "
            f"(content types: {', '.join(content)})"
        )
    return jsonschema.Draft4Validator(to_json_schema(media["schema"]))


def response_schema(method: str, path_template: str, status: int) -> dict[str, Any] | None:
    """The converted JSON Schema of one response (None when it has no body)."""
    validator = _validator(method.upper(), path_template, status)
    return None if validator is None else validator.schema


def validate_response(method: str, path_template: str, status: int, body: Any) -> None:
    """Raise ``AssertionError`` listing every violation of the operation's response schema.

    ``path_template`` is the spec's path key, e.g. ``/v2/droplets/{droplet_id}``.
    """
    validator = _validator(method.upper(), path_template, status)
    if validator is None:
        if body not in (None, b"", ""):
            raise AssertionError(f"{method} {path_template} {status}: expected no body")
        return
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:300]}"
            for e in errors[:15]
        ]
        raise AssertionError(
            f"{method.upper()} {path_template} {status}: {len(errors)} schema violation(s)\n"
            + "\n".join(lines)
        )


@cache
def _templates() -> list[tuple[re.Pattern[str], str, int]]:
    out = []
    for template in load_spec()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template, template.count("{")))
    return out


def path_template(path: str) -> str:
    """The spec's path key for a concrete path (literal segments win over parameters)."""
    matches = [(n, t) for rx, t, n in _templates() if rx.match(path)]
    if not matches:
        raise SpecError(f"no spec path matches {path!r}")
    return min(matches)[1]


def spec_urn_pattern() -> re.Pattern[str]:
    """The ``urn`` pattern of a project resource, as the spec declares it."""
    schema = load_spec()["paths"]["/v2/projects/{project_id}/resources"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["schema"]
    resource = schema["allOf"][0]["properties"]["resources"]["items"]
    return re.compile(resource["properties"]["urn"]["pattern"])
