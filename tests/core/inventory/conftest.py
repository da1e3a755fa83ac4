"""The zero-lag simulator the inventory sync tests list from (shared with the saga step tests)."""

from tests.core.saga.steps.world import zero_lag_admin, zero_lag_sim

__all__ = ["zero_lag_admin", "zero_lag_sim"]
