"""Check a FOCUS dataset against the FinOps Foundation's own FOCUS 1.2 rule model.

The model (``focus_model/model-1.2.json``, MIT, with its currency codes; copied unchanged
from the FOCUS project) holds every rule of the spec with its id, keyword and, for the rules a
machine can check ("Static"), a requirement and a row condition built from a small set of
check functions. No published validator reads this 1.2 model (PyPI's ``focus-validator`` 1.0
implements FOCUS 1.0 and pins numpy < 2), so this module interprets it, check function by
check function, as the model documents them:

- a rule whose applicability criteria are not all in the provider's capabilities is
  ``not_applicable``; a "Dynamic" rule (prose only, no requirement) is ``not_checkable``; a
  ``MAY`` rule is ``optional`` (it permits, it never fails);
- a rule whose requirement reads a column the dataset does not have is ``column_absent``: the
  dataset's presence rules decide whether that column had to be there. In a condition, an
  absent column reads as null on every row;
- otherwise the requirement must hold on every row where the condition holds. ``MUST`` and
  ``MUST NOT`` failures are errors; ``SHOULD``/``SHOULD NOT``/``RECOMMENDED`` ones warnings,
  and a composite rule counts an advisory child as kept.

Format checks apply to non-null values (nullability has rules of its own); a product of two
columns "matches" a third to the precision the third is written with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DO_CAPABILITIES",
    "FocusValidation",
    "RuleResult",
    "load_focus_model",
    "validate_focus",
]

MODEL_DIR = Path(__file__).with_name("focus_model")
#: The model's applicability criteria that hold for DigitalOcean billing data: DO publishes a
#: price list with unit (hourly) prices, bills provisioned resources by type and region, meters
#: usage (hours), has projects (our sub-accounts), team names and tags. It has no availability
#: zones, commitment discounts, capacity reservations, negotiated or virtual-currency pricing,
#: one pricing category and one currency.
DO_CAPABILITIES = frozenset(
    {
        "ACCOUNT_NAMING_SUPPORTED",
        "PUBLIC_PRICE_LIST_SUPPORTED",
        "UNIT_PRICING_SUPPORTED",
        "USAGE_MEASUREMENT_SUPPORTED",
        "SUB_ACCOUNT_SUPPORTED",
        "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
        "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED",
        "REGION_SUPPORTED",
        "TAGGING_SUPPORTED",
    }
)
#: Rules whose condition the model leaves in prose, so that as written they would hold for
#: every row: checking them would fail every dataset.
MODEL_GAPS = {
    # "MUST be null when the charge is not associated with an invoice": no Condition given.
    "InvoiceId-C-004-C",
}
_MANDATORY = frozenset({"MUST", "MUST NOT"})
_KEPT = frozenset({"pass", "not_applicable", "not_checkable", "column_absent", "optional"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# UnitFormat: an optional count ("1000 Requests"), a unit, optionally "-Unit" or "/Unit".
_UNIT = re.compile(r"^(\d+ )?[A-Za-z][A-Za-z0-9 ]*?([-/][A-Za-z][A-Za-z0-9 ]*)?$")
_COLUMN_ARGS = ("ColumnName", "ColumnAName", "ColumnBName", "ResultColumnName", "CheckCondition")


@dataclass(frozen=True)
class RuleResult:
    """One model rule's outcome on a dataset."""

    rule_id: str
    keyword: str
    status: str  # pass | fail | not_applicable | not_checkable | column_absent | optional
    requirement: str
    failing_rows: int = 0
    example: str | None = None  # the first failing row's values of the columns checked

    @property
    def mandatory(self) -> bool:
        return self.keyword in _MANDATORY


@dataclass(frozen=True)
class FocusValidation:
    """Every rule's result; ``ok`` when no mandatory rule fails."""

    results: tuple[RuleResult, ...]

    @property
    def errors(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "fail" and r.mandatory]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "fail" and not r.mandatory]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        """How many rules ended in each status (``fail`` split into errors and warnings)."""
        out: dict[str, int] = {}
        for r in self.results:
            key = r.status if r.status != "fail" else ("error" if r.mandatory else "warning")
            out[key] = out.get(key, 0) + 1
        return out

    def result(self, rule_id: str) -> RuleResult:
        return next(r for r in self.results if r.rule_id == rule_id)


@dataclass(frozen=True)
class FocusModel:
    """The rule model as loaded: rules by id and the ISO 4217 national currency codes."""

    rules: Mapping[str, dict[str, Any]]
    currencies: frozenset[str]
    version: str


@cache
def load_focus_model(directory: Path = MODEL_DIR) -> FocusModel:
    """The FOCUS 1.2 rule model shipped with the package (read once)."""
    raw = json.loads((directory / "model-1.2.json").read_text(encoding="utf-8"))
    codes = pd.read_csv(directory / "currency_codes.csv")["currency_codes"]
    return FocusModel(raw["ModelRules"], frozenset(codes), raw["Details"]["FOCUSVersion"])


def validate_focus(
    frame: pd.DataFrame,
    *,
    capabilities: Iterable[str] = DO_CAPABILITIES,
    model: FocusModel | None = None,
) -> FocusValidation:
    """Every rule of the model evaluated on ``frame`` (one FOCUS row per frame row)."""
    model = model or load_focus_model()
    evaluator = _Evaluator(frame, model, frozenset(capabilities))
    for root in _roots(model):  # parents first: a child is checked where its parent applies
        evaluator.rule(root, np.True_)
    return FocusValidation(tuple(evaluator.rule(rule_id, np.True_) for rule_id in model.rules))


def _roots(model: FocusModel) -> list[str]:
    referenced: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("CheckFunction") == "CheckModelRule":
                referenced.add(node["ModelRuleId"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in model.rules.values():
        walk(spec["ValidationCriteria"]["Requirement"])
    return [rule_id for rule_id in model.rules if rule_id not in referenced]


def _columns(check: Mapping[str, Any]) -> set[str]:
    """Columns a check reads (not through other rules; a presence check reads none)."""
    if not check or check.get("CheckFunction") == "ColumnPresent":
        return set()
    found = {check[arg] for arg in _COLUMN_ARGS if arg in check}
    for item in check.get("Items", ()):
        found |= _columns(item)
    return found


class _Evaluator:
    def __init__(self, frame: pd.DataFrame, model: FocusModel, capabilities: frozenset[str]):
        self.frame, self.model, self.capabilities = frame, model, capabilities
        self.rows = len(frame)
        self._results: dict[str, RuleResult] = {}
        self._values: dict[str, np.ndarray] = {}

    def rule(self, rule_id: str, context: np.ndarray | np.bool_) -> RuleResult:
        """The rule's result on the rows of ``context`` (its parent's condition)."""
        if rule_id not in self._results:
            self._results[rule_id] = self._evaluate(rule_id, context)
        return self._results[rule_id]

    def _evaluate(self, rule_id: str, context: np.ndarray | np.bool_) -> RuleResult:
        spec = self.model.rules[rule_id]
        criteria = spec["ValidationCriteria"]
        keyword, requirement = criteria["Keyword"], criteria["Requirement"]
        condition = criteria.get("Condition") or {}

        def result(status: str, failing: int = 0, example: str | None = None) -> RuleResult:
            return RuleResult(rule_id, keyword, status, criteria["MustSatisfy"], failing, example)

        if not set(spec["ApplicabilityCriteria"]) <= self.capabilities:
            return result("not_applicable")
        if keyword == "MAY":
            return result("optional")
        if not requirement or rule_id in MODEL_GAPS:
            return result("not_checkable")
        read = _columns(requirement) | _columns(condition)
        if not _columns(requirement) <= set(self.frame.columns):
            return result("column_absent")
        applies = np.logical_and(context, self._check(condition, context) if condition else True)
        failing = np.logical_and(applies, np.logical_not(self._check(requirement, applies)))
        if np.ndim(failing) == 0:
            return result("fail", self.rows) if failing else result("pass")
        count = int(failing.sum())
        if not count:
            return result("pass")
        first = int(np.flatnonzero(failing)[0])
        example = {c: self._column(c)[first] for c in sorted(read)}
        return result("fail", count, repr(example))

    def _column(self, name: str) -> np.ndarray:
        """A column as Python values with ``None`` for nulls."""
        if name not in self._values:
            if name not in self.frame.columns:
                return np.full(self.rows, None, dtype=object)
            series = self.frame[name]
            values = series.astype(object).to_numpy(copy=True)
            values[series.isna().to_numpy()] = None
            self._values[name] = values
        return self._values[name]

    def _each(self, name: str, test: Any) -> np.ndarray:
        """``test`` on every non-null value of a column; null rows pass."""
        return np.fromiter(
            (v is None or bool(test(v)) for v in self._column(name)), bool, self.rows
        )

    def _check(
        self, check: Mapping[str, Any], context: np.ndarray | np.bool_
    ) -> np.ndarray | np.bool_:
        fn = check["CheckFunction"]
        # The 1.2 model names one column "CheckCondition" (ResourceId-C-006-C): read as a column.
        col = check.get("ColumnName", check.get("CheckCondition"))
        if fn in ("AND", "OR"):
            parts = [self._check(item, context) for item in check["Items"]]
            reduce = np.logical_and if fn == "AND" else np.logical_or
            if all(np.ndim(p) == 0 for p in parts):
                return np.bool_(reduce.reduce(parts))
            return reduce.reduce(np.broadcast_arrays(*parts, np.zeros(self.rows, bool))[:-1])
        if fn == "CheckModelRule":
            child = self.rule(check["ModelRuleId"], context)
            return np.bool_(child.status in _KEPT or not child.mandatory)
        if fn == "ColumnPresent":
            return np.bool_(col in self.frame.columns)
        if fn in ("TypeDecimal", "TypeString", "TypeDateTime"):
            return np.bool_(_has_type(self.frame[col], fn))
        if fn in ("CheckValue", "CheckNotValue"):
            value = check["Value"]
            values = self._column(col)
            same = np.fromiter((v is None if value is None else v == value for v in values), bool)
            return same if fn == "CheckValue" else ~same
        if fn in ("CheckSameValue", "CheckNotSameValue"):
            a, b = self._column(check["ColumnAName"]), self._column(check["ColumnBName"])
            same = np.fromiter((x == y for x, y in zip(a, b, strict=True)), bool, self.rows)
            return same if fn == "CheckSameValue" else ~same
        if fn == "CheckGreaterOrEqualThanValue":
            return self._each(
                col, lambda v: _decimal(v) is not None and _decimal(v) >= check["Value"]
            )
        if fn in ("CheckDecimalValue", "FormatNumeric"):
            return self._each(col, lambda v: _decimal(v) is not None)
        if fn == "FormatString":
            return self._each(col, lambda v: isinstance(v, str))
        if fn == "FormatDateTime":
            return self._each(col, _is_utc_datetime)
        if fn == "FormatUnit":
            return self._each(col, lambda v: isinstance(v, str) and _UNIT.match(v))
        if fn == "FormatKeyValue":
            return self._each(col, _is_key_value)
        if fn in ("FormatCurrency", "CheckNationalCurrency"):
            return self._each(col, lambda v: v in self.model.currencies)
        if fn == "ColumnByColumnEqualsColumnValue":
            a, b = self._column(check["ColumnAName"]), self._column(check["ColumnBName"])
            total = self._column(check["ResultColumnName"])
            return np.fromiter(map(_product_matches, a, b, total), bool, self.rows)
        if fn == "CheckDistinctCount":
            a, b = check["ColumnAName"], check["ColumnBName"]
            counts = self.frame.groupby(a, dropna=True)[b].nunique(dropna=False)
            good = set(counts.index[counts == check["ExpectedCount"]])
            return self._each(a, lambda v: v in good)
        raise ValueError(f"FOCUS model check function {fn!r} is not known to this validator")


def _has_type(series: pd.Series, fn: str) -> bool:
    dtype = series.dtype
    if fn == "TypeDateTime":
        return pd.api.types.is_datetime64_any_dtype(dtype)
    values = series.dropna()
    if fn == "TypeString":
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            return True
        return pd.api.types.is_object_dtype(dtype) and all(isinstance(v, str) for v in values)
    if isinstance(dtype, pd.ArrowDtype):
        return "decimal" in str(dtype.pyarrow_dtype) or dtype.kind in "iuf"
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if pd.api.types.is_numeric_dtype(dtype):
        return True
    return pd.api.types.is_object_dtype(dtype) and all(isinstance(v, Decimal) for v in values)


def _decimal(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or ``None`` when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and not _NUMBER.match(value):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _is_utc_datetime(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_DATETIME.match(value))
    return isinstance(value, datetime) and value.utcoffset() == timedelta(0)


def _is_key_value(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value = json.loads(value, object_pairs_hook=_unique_keys)
        except ValueError:
            return False
    return isinstance(value, dict) and all(
        v is None or isinstance(v, str | int | float | bool) for v in value.values()
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _product_matches(a: Any, b: Any, total: Any) -> bool:
    if a is None or b is None or total is None:
        return True
    x, y, z = _decimal(a), _decimal(b), _decimal(total)
    if x is None or y is None or z is None:
        return False
    exponent = Decimal(1).scaleb(min(z.as_tuple().exponent, 0))
    return (x * y).quantize(exponent, rounding=ROUND_HALF_EVEN) == z
