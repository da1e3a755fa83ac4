"""Client behaviour against scripted responses (MockTransport): errors, retries, inputs."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from arcadia_cloud_core.digitalocean import (
    DOAuthError,
    DOClient,
    DOError,
    DONotFoundError,
    DOParseError,
    DORateLimitError,
    DOServerError,
    DOTransportError,
)
from arcadia_cloud_core.digitalocean.retry_policy import is_retryable

from .helpers import Script, body_of, droplet_payload, fresh_token, json_response, make_client

PROXY_502_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>"
)


def ok_droplet(request: httpx.Request) -> httpx.Response:
    return json_response({"droplet": droplet_payload(7)})


def status(code: int, error_id: str = "server_error", **headers: str):
    def respond(request: httpx.Request) -> httpx.Response:
        return json_response(
            {"id": error_id, "message": "msg", "request_id": "req-1"}, status=code, headers=headers
        )

    return respond


def raise_(exc_type: type[Exception]):
    def respond(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return respond


# -- typed errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error_id", "cls"),
    [
        (401, "unauthorized", DOAuthError),
        (403, "forbidden", DOAuthError),
        (404, "not_found", DONotFoundError),
        (400, "bad_request", DOError),
        (412, "precondition_failed", DOError),
    ],
)
def test_client_errors_are_typed_and_not_retried(code: int, error_id: str, cls: type) -> None:
    script = Script([status(code, error_id)])
    client, _ = make_client(script)
    with client, pytest.raises(cls) as info:
        client.get_droplet(7)
    err = info.value
    assert type(err) is cls
    assert (err.status, err.error_id, err.request_id) == (code, error_id, "req-1")
    assert (err.method, err.path) == ("GET", "/v2/droplets/7")
    assert str(err) == f"GET /v2/droplets/7 -> {code} {error_id}: msg (request_id=req-1)"
    assert len(script.requests) == 1


def test_html_proxy_page_is_a_server_error_without_the_page_in_the_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=PROXY_502_PAGE, headers={"content-type": "text/html"})

    client, _ = make_client(handler, max_attempts=2)
    with client, pytest.raises(DOServerError) as info:
        client.list_firewalls()
    assert info.value.status == 502
    assert "text/html" in info.value.message
    assert "nginx" not in str(info.value)
    assert client.requests_made == 2


def test_garbage_body_is_retried_then_a_parse_error_naming_the_endpoint() -> None:
    script = Script([lambda r: httpx.Response(200, content=b'{"droplet": {"id": 7, "na')])
    client, _ = make_client(script, max_attempts=3)
    with client, pytest.raises(DOParseError) as info:
        client.get_droplet(7)
    assert info.value.field == "<body>"
    assert info.value.retryable
    assert "GET /v2/droplets/7" in str(info.value)
    assert len(script.requests) == 3


def test_truncated_body_recovers_on_retry() -> None:
    script = Script([lambda r: httpx.Response(200, content=b'{"droplet": {"id"'), ok_droplet])
    client, _ = make_client(script)
    with client:
        assert client.get_droplet(7).id == "7"
    assert client.requests_made == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"droplets": []}, "droplet"),
        ({"droplet": [1]}, "droplet"),
        ({"droplet": droplet_payload(7, created_at=None)}, "droplet.created_at"),
    ],
)
def test_wrong_envelope_or_missing_field_names_the_field(body: dict, field: str) -> None:
    client, _ = make_client(lambda r: json_response(body))
    with client, pytest.raises(DOParseError) as info:
        client.get_droplet(7)
    assert info.value.field == field
    assert not isinstance(info.value, KeyError)
    assert field in str(info.value)


def test_json_array_body_is_a_parse_error() -> None:
    client, _ = make_client(lambda r: json_response([1, 2]))
    with client, pytest.raises(DOParseError):
        client.get_account()


# -- retries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_get_recovers_from_5xx(code: int) -> None:
    script = Script([status(code), ok_droplet])
    client, _ = make_client(script)
    with client:
        assert client.get_droplet(7).name == "web-7"
    assert len(script.requests) == 2 == client.requests_made


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError]
)
def test_get_recovers_from_transport_failures(exc: type[Exception]) -> None:
    script = Script([raise_(exc), ok_droplet])
    client, _ = make_client(script)
    with client:
        assert client.get_droplet(7).id == "7"
    assert client.requests_made == 2


def test_transport_failure_after_retries_is_a_transport_error() -> None:
    client, _ = make_client(raise_(httpx.ReadTimeout), max_attempts=3)
    with client, pytest.raises(DOTransportError) as info:
        client.get_droplet(7)
    assert info.value.status is None
    assert info.value.reason == "timeout"
    assert info.value.attempts == 3
    # the httpx exception (its request holds the headers) is neither cause nor context
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    "failure",
    [status(500), status(503), raise_(httpx.ReadTimeout), raise_(httpx.RemoteProtocolError)],
)
def test_post_is_not_retried_on_5xx_or_timeouts(failure) -> None:
    script = Script([failure, lambda r: json_response({"droplet": droplet_payload(9)}, 202)])
    client, _ = make_client(script)
    with client, pytest.raises((DOServerError, DOTransportError)):
        client.create_droplet(
            name="web-9", region="nyc3", size="s-1vcpu-1gb", image="ubuntu-24-04-x64"
        )
    assert len(script.requests) == 1


def test_post_is_retried_on_429() -> None:
    created = {
        "droplet": droplet_payload(9, status="new"),
        "links": {
            "actions": [
                {
                    "id": 7515,
                    "rel": "create",
                    "href": "https://api.digitalocean.com/v2/actions/7515",
                }
            ]
        },
    }
    script = Script(
        [
            status(429, "too_many_requests", **{"retry-after": "0"}),
            lambda r: json_response(created, 202),
        ]
    )
    client, _ = make_client(script)
    with client:
        result = client.create_droplet(
            name="web-9", region="nyc3", size="s-1vcpu-1gb", image="ubuntu-24-04-x64", tags=["web"]
        )
    assert result.resource.id == "9"
    assert result.action_ids == ("7515",)
    assert len(script.requests) == 2
    assert body_of(script.requests[0])["tags"] == ["web"]


def test_post_marked_idempotent_is_retried_on_5xx() -> None:
    resources = {"resources": [{"urn": "do:droplet:1", "status": "ok"}]}
    script = Script([status(500), lambda r: json_response(resources)])
    client, _ = make_client(script)
    with client:
        listing = client.assign_project_resources("default", ["do:droplet:1"])
    assert [r.urn for r in listing] == ["do:droplet:1"]
    assert listing.requests == 2


def test_put_and_delete_are_retried() -> None:
    record = {"domain_record": {"id": 5, "type": "A", "name": "@", "data": "1.2.3.4"}}
    script = Script(
        [status(502), lambda r: json_response(record), status(503), lambda r: httpx.Response(204)]
    )
    client, _ = make_client(script)
    with client:
        updated = client.update_domain_record(
            "acme-store.com", 5, changes={"data": "1.2.3.4"}, partial_update=False
        )
        assert updated.data == "1.2.3.4"
        assert client.delete_domain_record("acme-store.com", 5)
    assert [r.method for r in script.requests] == ["PUT", "PUT", "DELETE", "DELETE"]


def test_429_waits_for_retry_after() -> None:
    script = Script([status(429, "too_many_requests", **{"retry-after": "0.4"}), ok_droplet])
    client, _ = make_client(script)
    started = time.perf_counter()
    with client:
        client.get_droplet(7)
    assert time.perf_counter() - started >= 0.4


def test_429_without_retry_after_waits_for_ratelimit_reset() -> None:
    reset = time.time() + 0.5
    script = Script(
        [
            status(
                429,
                "too_many_requests",
                **{"ratelimit-reset": f"{reset:.3f}", "ratelimit-remaining": "0"},
            ),
            ok_droplet,
        ]
    )
    client, _ = make_client(script)
    with client:
        client.get_droplet(7)
    assert time.time() >= reset - 0.01


def test_rate_limit_error_after_retries_is_typed() -> None:
    client, _ = make_client(
        status(429, "too_many_requests", **{"retry-after": "0"}), max_attempts=2
    )
    with client, pytest.raises(DORateLimitError) as info:
        client.get_droplet(7)
    assert info.value.retry_after == 0


def test_retry_decisions_live_in_one_policy() -> None:
    server = DOServerError("x", status=500)
    assert is_retryable(server, method="GET")
    assert not is_retryable(server, method="POST")
    assert is_retryable(server, method="POST", idempotent=True)
    assert is_retryable(DORateLimitError("x", status=429), method="POST")
    assert not is_retryable(DORateLimitError("local", status=None), method="GET")
    assert not is_retryable(DONotFoundError("x", status=404), method="GET")
    assert not is_retryable(DOServerError("x", status=501), method="GET")
    assert is_retryable(DOParseError("x", field="<body>", retryable=True), method="GET")
    assert not is_retryable(DOParseError("x", field="droplet"), method="GET")


def test_max_retry_seconds_bounds_the_waiting() -> None:
    client, _ = make_client(
        status(429, "too_many_requests", **{"retry-after": "30"}), max_retry_seconds=1.0
    )
    started = time.perf_counter()
    with client, pytest.raises(DORateLimitError):
        client.get_droplet(7)
    assert time.perf_counter() - started < 1.0


# -- inputs that must never reach a URL path --------------------------------------------------


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda c: c.get_droplet("../account"), "droplet_id"),
        (lambda c: c.get_droplet("1/actions"), "droplet_id"),
        (lambda c: c.get_droplet("1?x=y"), "droplet_id"),
        (lambda c: c.get_droplet(True), "droplet_id"),
        (lambda c: c.delete_droplet(-1), "droplet_id"),
        (lambda c: c.get_action("1#frag"), "action_id"),
        (lambda c: c.get_droplet_action(1, "2/../3"), "action_id"),
        (lambda c: c.get_snapshot("../../droplets"), "snapshot_id"),
        (lambda c: c.get_volume("abc/def"), "volume_id"),
        (lambda c: c.get_firewall("x" * 36), "firewall_id"),
        (lambda c: c.get_load_balancer("%2e%2e"), "lb_id"),
        (lambda c: c.get_domain("acme.com/../../v2/account"), "name"),
        (lambda c: c.list_domain_records("acme.com?type=A"), "domain"),
        (lambda c: c.delete_domain_record("acme.com", "1 2"), "record_id"),
        (lambda c: c.get_reserved_ip("1.2.3.4/32"), "ip"),
        (lambda c: c.delete_reserved_ip("01.2.3.4"), "ip"),
        (lambda c: c.get_project("../default"), "project_id"),
        (lambda c: c.list_project_resources("default/../x"), "project_id"),
        (lambda c: c.get_invoice_csv("../../account"), "invoice_uuid"),
        (lambda c: c.list_invoice_items("preview/../x"), "invoice_uuid"),
        (lambda c: c.get_invoice_summary(""), "invoice_uuid"),
    ],
)
def test_path_inputs_are_validated_before_any_request(call, arg: str) -> None:
    script = Script([ok_droplet])
    client, _ = make_client(script)
    with client, pytest.raises(ValueError, match=f"invalid {arg}"):
        call(client)
    assert script.requests == []


def test_filter_combinations_doe_rejects_are_rejected_locally() -> None:
    client, _ = make_client(ok_droplet)
    with client:
        with pytest.raises(ValueError, match="tag_name"):
            client.list_droplets(tag_name="web", name="x")
        with pytest.raises(ValueError, match="resource_type"):
            client.list_snapshots(resource_type="image")
        with pytest.raises(ValueError, match="type"):
            client.list_domain_records("acme.com", type="XX")
        with pytest.raises(ValueError, match="region or droplet_id"):
            client.create_reserved_ip()
        with pytest.raises(ValueError, match="path"):
            client.request("GET", "/v2/../_sim/stats")
    assert client.requests_made == 0


# -- other endpoints --------------------------------------------------------------------------


def test_delete_missing_ok() -> None:
    client, _ = make_client(status(404, "not_found"))
    with client:
        assert client.delete_snapshot("6372321", missing_ok=True) is False
        with pytest.raises(DONotFoundError):
            client.delete_snapshot("6372321")


def test_reserved_and_floating_ips_are_merged_by_address() -> None:
    def ip(addr: str, region: str = "nyc3") -> dict:
        return {"ip": addr, "region": {"slug": region}, "droplet": None, "locked": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/reserved_ips":
            return json_response(
                {"reserved_ips": [ip("1.1.1.1"), ip("2.2.2.2")], "meta": {"total": 2}}
            )
        return json_response(
            {"floating_ips": [ip("2.2.2.2"), ip("3.3.3.3", "ams3")], "meta": {"total": 2}}
        )

    client, _ = make_client(handler)
    with client:
        merged = client.list_all_reserved_ips()
    assert [(i.ip, i.sources) for i in merged] == [
        ("1.1.1.1", ("reserved_ips",)),
        ("2.2.2.2", ("reserved_ips", "floating_ips")),
        ("3.3.3.3", ("floating_ips",)),
    ]
    assert (merged.requests, merged.pages) == (2, 2)


def test_invoice_csv_accepts_csv_and_rejects_html_json_and_empty() -> None:
    csv_text = "product,group_description,description,hours,start,end,USD,project_name,category\n"
    good = Script(
        [lambda r: httpx.Response(200, text=csv_text, headers={"content-type": "text/csv"})]
    )
    client, _ = make_client(good)
    with client:
        assert client.get_invoice_csv("22737513-0ea7-4206-8ceb-98a575af7681") == csv_text
    for bad in (
        httpx.Response(200, text=PROXY_502_PAGE, headers={"content-type": "text/html"}),
        httpx.Response(
            200, text="<!DOCTYPE html><p>login</p>", headers={"content-type": "text/csv"}
        ),
        httpx.Response(200, text="   \n", headers={"content-type": "text/csv"}),
        httpx.Response(
            200, content=b'{"invoice_items": [{"pro', headers={"content-type": "application/json"}
        ),
    ):
        script = Script([lambda r, bad=bad: bad])
        client, _ = make_client(script, max_attempts=2)
        with client, pytest.raises(DOParseError) as info:
            client.get_invoice_csv("preview")
        assert info.value.field == "<body>"
        assert "/v2/customers/my/invoices/preview/csv" in str(info.value)
        assert len(script.requests) == 2


def test_balance_is_a_bare_object() -> None:
    balance = {
        "month_to_date_balance": "86.92",
        "account_balance": "0.00",
        "month_to_date_usage": "86.92",
        "generated_at": "2026-04-15T10:00:00Z",
    }
    client, _ = make_client(lambda r: json_response(balance))
    with client:
        assert client.get_balance().month_to_date_usage_cents == 8692


def test_bad_balance_names_the_field() -> None:
    balance = {
        "month_to_date_balance": "86.925",
        "account_balance": "0.00",
        "month_to_date_usage": "86.92",
        "generated_at": "2026-04-15T10:00:00Z",
    }
    client, _ = make_client(lambda r: json_response(balance))
    with client, pytest.raises(DOParseError) as info:
        client.get_balance()
    assert info.value.field == "month_to_date_balance"


# -- the client object ------------------------------------------------------------------------


def test_repr_and_budget_sharing() -> None:
    token = fresh_token()
    a = DOClient(token=token, base_url="http://127.0.0.1:9", purpose="sync")
    b = DOClient(
        token=token, base_url="http://127.0.0.1:9", purpose="billing", requests_per_minute=100
    )
    c = DOClient(token=fresh_token(), base_url="http://127.0.0.1:9", purpose="provisioning")
    try:
        assert repr(a) == "DOClient(purpose='sync', base_url='http://127.0.0.1:9')"
        assert a.rate_budget is b.rate_budget
        assert a.rate_budget is not c.rate_budget
        assert a.rate_budget.per_minute == 100  # the stricter limit wins for a shared token
        assert token not in repr(a.rate_budget)
    finally:
        for client in (a, b, c):
            client.close()


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="token"):
        DOClient(token=" ")
    with pytest.raises(ValueError, match="purpose"):
        DOClient(token=fresh_token(), purpose="Sync Jobs!")
    with pytest.raises(ValueError, match="page_concurrency"):
        DOClient(token=fresh_token(), page_concurrency=0)


def test_hooks_log_method_path_status_and_elapsed(caplog: pytest.LogCaptureFixture) -> None:
    client, token = make_client(ok_droplet)
    with caplog.at_level(logging.DEBUG, logger="arcadia_cloud_core.digitalocean"), client:
        client.get_droplet(7)
    lines = [r.getMessage() for r in caplog.records if r.name == "arcadia_cloud_core.digitalocean"]
    assert any(line.startswith("DO GET /v2/droplets/7 -> 200 in ") for line in lines)
    assert all(token not in line and "Bearer" not in line for line in lines)


def test_token_never_leaks_into_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    token = fresh_token("leakcheck")
    responders = {
        "/v2/account": status(401, "unauthorized"),
        "/v2/droplets/1": status(404, "not_found"),
        "/v2/droplets/2": status(500),
        "/v2/droplets/3": raise_(httpx.ReadTimeout),
        "/v2/droplets/4": lambda r: httpx.Response(200, content=b"{garbage"),
        "/v2/droplets/5": status(429, "too_many_requests", **{"retry-after": "0"}),
        "/v2/droplets/6": raise_(httpx.ConnectError),
        "/v2/droplets": lambda r: json_response({"droplets": [droplet_payload(8, name=None)]}),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {token}"
        return responders[request.url.path](request)

    client, _ = make_client(handler, token=token, max_attempts=2)
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG), client:
        for call in (client.get_account, *(lambda i=i: client.get_droplet(i) for i in range(1, 7))):
            try:
                call()
            except DOError as exc:
                errors.append(exc)
        listing = client.list_droplets()
    assert len(errors) == 7
    assert len(listing.skipped) == 1
    texts = [repr(client), repr(client.rate_budget), repr(listing)]
    for err in errors:
        texts += [
            str(err),
            repr(err),
            repr(err.args),
            repr(vars(err)),
            repr(err.__cause__),
            repr(err.__context__),
        ]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), str(record.exc_info)]
    assert caplog.records
    for text in texts:
        assert token not in text
        assert "5ecret" not in text
