"""The spec validator itself: it rejects wrong bodies and handles OpenAPI 3.0 ``nullable``."""

from __future__ import annotations

import pytest

from tests.sim.openapi import SpecError, path_template, to_json_schema, validate_response

GOOD_ERROR = {"id": "not_found", "message": "The resource you requested could not be found."}


def test_validator_accepts_a_good_body_and_rejects_a_bad_one() -> None:
    validate_response("GET", "/v2/droplets/{droplet_id}", 404, GOOD_ERROR)
    with pytest.raises(AssertionError, match="schema violation"):
        validate_response("GET", "/v2/droplets/{droplet_id}", 404, {"id": "not_found"})
    with pytest.raises(AssertionError, match="status"):
        validate_response("GET", "/v2/account", 200, {"account": {"status": "sleeping"}})


def test_undeclared_status_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="declares no 418"):
        validate_response("GET", "/v2/account", 418, {})


def test_nullable_becomes_a_type_union() -> None:
    converted = to_json_schema({"type": "string", "nullable": True, "enum": ["a"], "example": "a"})
    assert converted == {"type": ["string", "null"], "enum": ["a", None]}
    assert to_json_schema({"allOf": [{"type": "object"}], "nullable": True}) == {
        "anyOf": [{"allOf": [{"type": "object"}]}, {"type": "null"}]
    }


def test_path_template_prefers_literal_segments() -> None:
    assert path_template("/v2/projects/default/resources") == "/v2/projects/default/resources"
    assert path_template("/v2/projects/abc/resources") == "/v2/projects/{project_id}/resources"
    assert path_template("/v2/volumes/snapshots/x") == "/v2/volumes/snapshots/{snapshot_id}"
