"""``/v2/account``."""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.errors import DOParseError
from arcadia_cloud_core.digitalocean.models import Account


class AccountAPI(APIBase):
    """The account the token belongs to."""

    def get_account(self) -> Account:
        """``GET /v2/account``."""
        return self._get_one("/v2/account", "account", Account.from_payload)

    def billing_account_urn(self) -> str:
        """``do:team:<uuid>`` of the token's team (what billing insights are asked for)."""
        account = self.get_account()
        if not account.team_uuid:
            raise DOParseError(
                "the account has no team",
                field="account.team.uuid",
                method="GET",
                path="/v2/account",
            )
        return f"do:team:{account.team_uuid}"
