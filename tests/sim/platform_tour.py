"""The conformance tour's platform leg: apps, databases, Kubernetes and VPCs (see
``test_conformance``), kept in its own module so each family's leg stays small."""

from __future__ import annotations

from typing import Any, Protocol


class Caller(Protocol):
    def __call__(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any: ...


def run_platform_tour(c: Caller) -> None:
    """Every platform operation once, deletes last."""
    apps = c("GET", "/v2/apps", 200, params={"with_projects": "true"})["apps"]
    c("GET", "/v2/apps", 200, params={"per_page": 1})
    app = apps[0]["id"]
    c("GET", f"/v2/apps/{app}", 200)
    c("GET", f"/v2/apps/{app}/alerts", 200)

    dbs = {d["name"]: d["id"] for d in c("GET", "/v2/databases", 200)["databases"]}
    c("GET", "/v2/databases", 200, params={"tag_name": "globex"})
    pg, valkey = dbs["globex-pg"], dbs["acme-sessions"]
    c("GET", f"/v2/databases/{pg}", 200)
    for sub in ("firewall", "replicas", "pools"):
        c("GET", f"/v2/databases/{pg}/{sub}", 200)

    clusters = c("GET", "/v2/kubernetes/clusters", 200)["kubernetes_clusters"]
    cluster = clusters[0]["id"]
    c("GET", f"/v2/kubernetes/clusters/{cluster}", 200)
    c("GET", f"/v2/kubernetes/clusters/{cluster}/node_pools", 200)

    vpcs = {v["name"]: v["id"] for v in c("GET", "/v2/vpcs", 200)["vpcs"]}
    c("GET", f"/v2/vpcs/{vpcs['globex-data']}", 200)
    c("GET", f"/v2/vpcs/{vpcs['globex-data']}/members", 200)
    c(
        "GET",
        f"/v2/vpcs/{vpcs['default-nyc3']}/members",
        200,
        params={"resource_type": "droplet", "per_page": 2},
    )
    peering = c("GET", "/v2/vpc_peerings", 200)["vpc_peerings"][0]["id"]
    c("GET", f"/v2/vpc_peerings/{peering}", 200)
    nat = c("GET", "/v2/vpc_nat_gateways", 200, params={"region": "ams3"})
    c("GET", f"/v2/vpc_nat_gateways/{nat['vpc_nat_gateways'][0]['id']}", 200)

    c("DELETE", f"/v2/apps/{app}", 200)
    c("DELETE", f"/v2/kubernetes/clusters/{cluster}", 204)
    c("DELETE", f"/v2/databases/{valkey}", 204)
    c("DELETE", f"/v2/vpcs/{vpcs['acme-private']}", 204)
    c("GET", f"/v2/databases/{valkey}", 404)
