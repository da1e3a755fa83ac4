"""The kind table and name extraction, by example and by property."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_core.billing.kinds import (
    ACCOUNT_LEVEL_KINDS,
    KIND_RULES,
    LINE_KINDS,
    derive_kinds,
    target_kind,
)
from arcadia_cloud_core.billing.names import extract_names, normalise_names
from arcadia_cloud_core.db.schema import RESOURCE_KINDS
from tests.core.billing.helpers import billing_name, kind_for, normalise_name


def values(column: pd.Series) -> list[str | None]:
    """A text column's values, None where missing."""
    return [v if isinstance(v, str) else None for v in column]


@pytest.mark.parametrize(
    ("product", "description", "kind"),
    [
        ("Droplets", "web-1 (s-1vcpu-2gb)", "droplet"),
        ("Droplet Backups", "web-1 (Weekly Backup Services)", "droplet_backup"),
        ("Backup", "web-1 (Daily Backup Services)", "droplet_backup"),
        ("Droplets", "web-1 (Weekly Backup Services)", "droplet_backup"),
        ("Droplets", "web-1 (daily backups)", "droplet_backup"),
        ("Droplet Snapshots", "web-1-2026 (4.91 GiB)", "snapshot"),
        ("Volume Snapshots", "vol-snap (13.00 GiB)", "snapshot"),
        ("Volumes", "data (100 GiB)", "volume"),
        ("Block Storage", "data (100 GiB)", "volume"),
        ("Floating IPs", "Unused Floating IP - 1.1.1.1", "reserved_ip"),
        ("Reserved IPs", "Unused Reserved IP - 1.1.1.1", "reserved_ip"),
        ("Reserved IPv6", "Unused Reserved IP - 2001:db8::1", "reserved_ip"),
        ("Load Balancers", "lb (lb-small)", "load_balancer"),
        ("Spaces Subscription", "Spaces Subscription", "spaces_subscription"),
        ("Spaces", "my-bucket", "spaces_bucket"),
        ("Managed Databases", "db-pg (db-s-1vcpu-1gb)", "managed_db"),
        ("Database Clusters", "db-pg (db-s-1vcpu-1gb)", "managed_db"),
        ("Kubernetes Clusters", "a56e086a", "k8s_cluster"),
        ("Taxes", "GST (10%)", "tax"),
        ("Taxes", "STATE SALES TAX (6.25%)", "tax"),
        ("", "GST (10%)", "tax"),
        (None, "VAT (20%)", "tax"),
        ("  droplets  ", "x (y)", "droplet"),
        ("DROPLET SNAPSHOTS", "x (1 GiB)", "snapshot"),
        ("Droplets", "gst-worker (s-1vcpu-1gb)", "droplet"),
        ("Droplets", "tax-calc (s-1vcpu-1gb)", "droplet"),
        ("App Platform", "tax-service (basic)", "app"),
        ("Uptime Checks", "api-check", None),  # a product no rule knows
        (None, None, None),
    ],
)
def test_kind_table(product: str | None, description: str | None, kind: str | None) -> None:
    assert kind_for(product, description) == kind


def test_vocabulary_and_targets() -> None:
    assert {"tax", "spaces_subscription", "credit", "bandwidth"} <= LINE_KINDS
    assert LINE_KINDS - {"tax"} - ACCOUNT_LEVEL_KINDS <= set(RESOURCE_KINDS)
    assert target_kind("app") == "app"  # App Platform apps are inventory kind `app` (#13)
    assert {target_kind("managed_db"), target_kind("k8s_cluster")} == {"managed_db", "k8s_cluster"}
    assert target_kind("droplet_backup") == "droplet"
    assert target_kind("snapshot") == "snapshot"
    assert target_kind("tax") is None
    assert target_kind("spaces_subscription") is None
    assert target_kind(None) is None


def test_vectorised_matches_scalar() -> None:
    products = ["Droplets", "Droplets", "Taxes", None, "Volume Snapshots"]
    descriptions = ["a (b)", "a (Weekly Backup Services)", "GST (10%)", "GST (5%)", None]
    kinds = values(derive_kinds(products, descriptions))
    assert kinds == [kind_for(p, d) for p, d in zip(products, descriptions, strict=True)]


#: What a resource name can hold: any printable text (no surrogates, no control characters).
_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=20)
_DECOR = st.sampled_from(["", " ", "  "])
_CASE = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


@settings(deadline=None)
@given(
    st.sampled_from(
        [
            ("Droplet Snapshots", "snapshot"),
            ("Volume Snapshots", "snapshot"),
            ("Droplet Backups", "droplet_backup"),
            ("Spaces Subscription", "spaces_subscription"),
            ("Taxes", "tax"),
            ("Volumes", "volume"),
            ("Droplets", "droplet"),
        ]
    ),
    _CASE,
    _DECOR,
    _DECOR,
    _WORD,
)
def test_specific_phrases_win_whatever_the_case_spacing_or_name(
    pair: tuple[str, str], case, left: str, right: str, name: str
) -> None:
    product, kind = pair
    assert kind_for(f"{left}{case(product)}{right}", f"{name} (s-1vcpu-1gb)") == kind


@settings(deadline=None)
@given(_WORD, st.sampled_from(["Weekly", "Daily", "weekly"]))
def test_backup_lines_are_backups_of_their_droplet(name: str, cadence: str) -> None:
    description = f"{name} ({cadence} Backup Services)"
    for product in ("Droplet Backups", "Droplets"):
        kind = kind_for(product, description)
        assert kind == "droplet_backup"
        assert target_kind(kind) == "droplet"
        assert billing_name(description, kind=kind) == name


def test_rules_are_ordered_specific_before_generic() -> None:
    order = [rule.kind for rule in KIND_RULES]
    assert order.index("tax") == 0
    assert order.index("droplet_backup") < order.index("snapshot") < order.index("droplet")
    assert order.index("spaces_subscription") < order.index("spaces_bucket")
    assert order.index("snapshot") < order.index("volume")


@pytest.mark.parametrize(
    ("description", "kind", "group", "name"),
    [
        ("web-1 (s-1vcpu-2gb)", "droplet", None, "web-1"),
        ("web (old) (s-1vcpu-1gb)", "droplet", None, "web (old)"),
        ("acme-db-1 (Weekly Backup Services)", "droplet_backup", None, "acme-db-1"),
        ("globex-warehouse-2026... (65.00 GiB)", "snapshot", None, "globex-warehouse-2026..."),
        ("Unused Reserved IP - 146.190.0.4", "reserved_ip", None, "146.190.0.4"),
        ("Unused Floating IP - 2001:db8::1", "reserved_ip", None, "2001:db8::1"),
        ("a56e086a317d8410", "k8s_cluster", "my-doks-cluster", "my-doks-cluster"),
        ("a56e086a317d8410", "k8s_cluster", "", "a56e086a317d8410"),
        ("plain-name", "volume", None, "plain-name"),
        ("GST (10%)", "tax", None, None),
        ("Spaces Subscription", "spaces_subscription", None, None),
        ("", "droplet", None, None),
        (None, "droplet", None, None),
        ("x (y)", None, None, "x"),
    ],
)
def test_name_rules(
    description: str | None, kind: str | None, group: str | None, name: str | None
) -> None:
    assert billing_name(description, kind=kind, group_description=group) == name


@settings(deadline=None)
@given(
    st.text(_PRINTABLE, min_size=1, max_size=30).map(str.strip).filter(bool),
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="()"), max_size=20
    ),
)
def test_name_of_name_with_size_is_the_name(name: str, size: str) -> None:
    description = f"{name} ({size})"
    assert billing_name(description, kind="droplet") == name
    assert values(extract_names(["droplet"], [description], [None])) == [name]


@settings(deadline=None)
@given(st.text(_PRINTABLE, max_size=40))
def test_normalise_is_idempotent_and_agrees_with_vectorised(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert set(once) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert values(normalise_names([name])) == [once or None]


def test_normalised_forms_of_do_renames() -> None:
    assert normalise_name("Platform CI-1 Golden") == normalise_name("platform-ci-1-golden")
    assert normalise_name("acme_web.1") == "acme-web-1"


# -- DO's real formats, product by product (docs/do-invoice-formats.md has the table) -------------
# Sources, abbreviated in the comments below:
#   SPEC-CSV     DO OpenAPI, GET /v2/customers/my/invoices/{uuid}/csv example
#                (digitalocean/openapi specification/DigitalOcean-public.v2.yaml; bundled as
#                /work/shared/do-api/do-openapi.json)
#   SPEC-ITEMS   the same spec, GET /v2/customers/my/invoices/{uuid} invoice_items example
#   SPEC-SUMMARY the same spec, GET .../invoices/{uuid}/summary example (product_charges items)
#   GODO         digitalocean/godo invoices_test.go (InvoiceItem fixtures)
#   DOAJ         DOAJ/doaj portality/scripts/collect_do_billing.py ("droplet-name (size)")
#   PDF-2025     a real DO invoice PDF (March 2025) as text in a public repository's data dump
#   BILLING-UI   a public copy of DO's billing page (month-to-date summary rows)
#   DO-DOCS      docs.digitalocean.com/platform/billing (2024-08: per-bucket Spaces bandwidth)
#   INFERRED     no public example found: the shape DO uses for its neighbours, see the doc
REAL_FORMATS: list[tuple[str, str, str, str | None, str | None]] = [
    # product, group_description, description, kind, billed name
    ("Droplets", "", "passbolt-p01 (s-1vcpu-2gb)", "droplet", "passbolt-p01"),  # PDF-2025, DOAJ
    ("Droplets", "", "Abuntu (c-4-8GiB)", "droplet", "Abuntu"),  # public blog's DO invoice
    ("Droplets", "", "My Example Droplet", "droplet", "My Example Droplet"),  # GODO
    ("Droplets", "", "web-legacy (512mb)", "droplet", "web-legacy"),  # INFERRED: pre-2018 slug
    (
        "Droplet Backups",
        "",
        "passbolt-p01 (Weekly Backup Services)",
        "droplet_backup",
        "passbolt-p01",
    ),  # PDF-2025
    (
        "Droplet Snapshots",
        "",
        "passbolt-p01-1707755441748 (fra1) 10.15GB Droplet Snapshot",
        "snapshot",
        "passbolt-p01-1707755441748",
    ),  # PDF-2025
    (
        "Droplet Snapshots",
        "",
        "marshall-1698786725800 (syd1) 3.18GB Droplet Snapshot",
        "snapshot",
        "marshall-1698786725800",
    ),  # BILLING-UI
    (
        "Volume Snapshots",
        "",
        "pgdata-2026-04-01 (nyc3) 13.00GB Volume Snapshot",
        "snapshot",
        "pgdata-2026-04-01",
    ),  # INFERRED from the droplet snapshot line
    ("Volumes", "", "pgdata (nyc3) 100GB Volume", "volume", "pgdata"),  # INFERRED (issue 14)
    ("Volumes", "", "pgdata (nyc3, 100 GiB)", "volume", "pgdata"),  # INFERRED variant
    ("Volumes", "", "pgdata (100 GiB)", "volume", "pgdata"),  # INFERRED: older, no region
    ("Floating IPs", "", "Unused Floating IP - 1.1.1.1", "reserved_ip", "1.1.1.1"),  # SPEC-CSV
    (
        "Reserved IPs",
        "",
        "Unused Reserved IP - 146.190.0.4",
        "reserved_ip",
        "146.190.0.4",
    ),  # INFERRED: the 2022 rename of the SPEC-CSV line
    (
        "Load Balancers",
        "",
        "My Example Load Balancer",
        "load_balancer",
        "My Example Load Balancer",
    ),  # GODO
    ("Load Balancers", "", "acme-web-lb (lb-small)", "load_balancer", "acme-web-lb"),  # INFERRED
    (
        "Kubernetes Clusters",
        "my-doks-cluster",
        "a56e086a317d8410c8b4cfd1f4dc9f82",
        "k8s_cluster",
        "my-doks-cluster",
    ),  # SPEC-ITEMS: a node pool's line, grouped by its cluster
    (
        "Database Clusters",
        "pg-main",
        "pg-main (db-s-2vcpu-4gb)",
        "managed_db",
        "pg-main",
    ),  # SPEC-SUMMARY product; SPEC-ITEMS: databases are grouped usage; description INFERRED
    ("Managed Databases", "", "pg-main (db-s-1vcpu-1gb)", "managed_db", "pg-main"),  # INFERRED
    (
        "Spaces Subscription",
        "",
        "Spaces ($5/mo 250GB storage & 1TB bandwidth)",
        "spaces_subscription",
        None,
    ),  # SPEC-ITEMS: account-level
    ("Spaces", "", "acme-uploads (ams3)", "spaces_bucket", "acme-uploads"),  # DO-DOCS, INFERRED
    (
        "Spaces Bandwidth",
        "",
        "acme-uploads (ams3) Bandwidth",
        "spaces_bucket",
        "acme-uploads",
    ),  # DO-DOCS per-bucket bandwidth; wording INFERRED
    ("App Platform", "", "storefront (Basic)", "app", "storefront"),  # INFERRED
    # INFERRED; billed by plan: matched as the account's one registry (the plan is the "name")
    ("Container Registry", "", "Basic", "container_registry", "Basic"),
    ("Bandwidth", "", "Droplet bandwidth overage", "bandwidth", None),  # SPEC-SUMMARY overages
    ("Support", "", "Standard Support Plan", "support_plan", None),  # BILLING-UI, INFERRED line
    (
        "Credits",
        "",
        "Promotional Credit from ReferreeNew2209 60 day expiration",
        "credit",
        None,
    ),  # BILLING-UI credit description; SPEC-SUMMARY credits_and_adjustments
    ("Taxes", "", "STATE SALES TAX (6.25%)", "tax", None),  # SPEC-CSV
    ("Taxes", "", "VAT Switzerland (8.10%)", "tax", None),  # PDF-2025
    ("Taxes", "", "GST (10%)", "tax", None),  # BILLING-UI tax location "10.00% GST"
]


@pytest.mark.parametrize(("product", "group", "description", "kind", "name"), REAL_FORMATS)
def test_real_do_formats(
    product: str, group: str, description: str, kind: str | None, name: str | None
) -> None:
    assert kind_for(product, description) == kind
    assert billing_name(description, kind=kind, group_description=group) == name


def test_real_formats_vectorised_as_one_invoice() -> None:
    products, groups, descriptions, kinds, names = (
        list(c) for c in zip(*REAL_FORMATS, strict=True)
    )
    derived = derive_kinds(products, descriptions)
    assert values(derived) == kinds
    assert values(extract_names(derived, descriptions, groups)) == names


@pytest.mark.parametrize(
    ("description", "name"),
    [
        ("web (old) (nyc3) 2.00GB Droplet Snapshot", "web (old)"),  # the region group wins
        ("edge (x) (nyc3)", "edge (x)"),  # a region group alone
        ("db (nyc3a) 1GB Volume", "db (nyc3a) 1GB Volume"),  # not a region slug
        ("cache (NYC3)", "cache"),  # not a region (upper case): an ordinary trailing group
    ],
)
def test_region_group_rule_edges(description: str, name: str) -> None:
    assert billing_name(description, kind="snapshot") == name


@settings(deadline=None)
@given(
    st.text(_PRINTABLE, min_size=1, max_size=30).map(str.strip).filter(bool),
    st.sampled_from(["nyc1", "nyc3", "ams3", "fra1", "sgp1", "syd1", "blr1", "tor1"]),
    st.decimals(min_value=0, max_value=16384, places=2).map(str),
    st.sampled_from(["Droplet Snapshot", "Volume Snapshot", "Volume", ""]),
)
def test_name_before_a_region_group_is_the_name(
    name: str, region: str, size: str, what: str
) -> None:
    """``name (region) <size>GB <what>`` → ``name``, whatever the name holds (parentheses too)."""
    description = f"{name} ({region}) {size}GB {what}".strip()
    kind = "volume" if what == "Volume" else "snapshot"
    assert billing_name(description, kind=kind) == name
