"""The Dagster instance configs, all derived from the one production file, `deploy/dagster.yaml`.

- `deploy/dagster.yaml`: production (storage on Postgres via `ARCADIA_DAGSTER_PG_URL`). Edit this.
- `dagster.yaml` at the repo root: the same minus `storage`, so `dagster dev -w workspace.yaml`,
  `dagster definitions validate -w workspace.yaml` and `dg check defs` work in the repo root with
  nothing set (Dagster then keeps its storage in SQLite under a temporary or `DAGSTER_HOME`
  directory). Generated: `python scripts/instance_config.py` rewrites it, `--check` only compares.
- `make dev` (`scripts/dev.py`) writes `$DAGSTER_HOME/dagster.yaml`: the production file when
  `ARCADIA_DAGSTER_PG_URL` is set, else the root file's content with SQLite under the home.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
PRODUCTION = REPO / "deploy" / "dagster.yaml"
ROOT = REPO / "dagster.yaml"
POSTGRES_SETTING = "ARCADIA_DAGSTER_PG_URL"
ROOT_HEADER = (
    "# GENERATED from deploy/dagster.yaml by `python scripts/instance_config.py`: do not edit.\n"
    "# The production instance minus its storage section, so Dagster's CLI works in the repo root\n"
    "# with nothing set (storage: SQLite under DAGSTER_HOME, or a temporary directory). The\n"
    "# production instance, documented, is deploy/dagster.yaml.\n"
)


def production_config() -> dict[str, Any]:
    """The production instance config (`deploy/dagster.yaml`), parsed."""
    return yaml.safe_load(PRODUCTION.read_text(encoding="utf-8"))


def local_config() -> dict[str, Any]:
    """The production config without its storage section (Dagster's default: SQLite)."""
    return {key: value for key, value in production_config().items() if key != "storage"}


def render_root() -> str:
    """The text of the repo root's `dagster.yaml`."""
    return ROOT_HEADER + yaml.safe_dump(local_config(), sort_keys=False)


def embedded_config(home: Path, *, postgres: bool) -> dict[str, Any]:
    """`make dev`'s instance: production as is on Postgres, else SQLite under ``home``."""
    if postgres:
        return production_config()
    return {"storage": {"sqlite": {"base_dir": str(home / "storage")}}, **local_config()}


def main(argv: list[str]) -> int:
    """Rewrite the root `dagster.yaml` (or, with ``--check``, fail when it is out of date)."""
    text = render_root()
    if "--check" in argv:
        if ROOT.read_text(encoding="utf-8") != text:
            print("dagster.yaml is out of date: run python scripts/instance_config.py")
            return 1
        return 0
    ROOT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
