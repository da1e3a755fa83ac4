"""``/v2/account``."""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.models import Account


class AccountAPI(APIBase):
    """The account the token belongs to."""

    def get_account(self) -> Account:
        """``GET /v2/account``."""
        return self._get_one("/v2/account", "account", Account.from_payload)
