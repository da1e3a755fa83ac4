"""DNS record sagas: ``upsert_dns_record`` and ``delete_dns_record``.

Both start with ReadDnsRecords, which stashes every record of the (type, name) in the context
*before* anything is written — DO records carry no tag, so this snapshot of the world is how the
undo (and a re-entry after a crash) tells what the saga changed from what was there before.

- UpsertDnsRecord ensures the (type, name) has the data/ttl: a record with equal data (compared
  with DO's trailing dot normalised) is kept (its ttl updated if needed), a single other record
  is updated, none means create; several records none of which matches is refused (ambiguous).
  Undo: delete records that were not in the stash, put back stashed records that changed or went.
- DeleteDnsRecord removes the record(s) (the one with ``data``, or the only one of the type and
  name). Undo: recreate every stashed record that is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from arcadia_cloud_core.digitalocean import DOClient, DomainRecord
from arcadia_cloud_core.saga.errors import PermanentStepError
from arcadia_cloud_core.saga.state import SagaState
from arcadia_cloud_core.saga.step import SagaDefinition, Step
from arcadia_cloud_core.saga.steps.do_errors import do_call
from arcadia_cloud_core.saga.steps.inputs import DnsRecordSpec
from arcadia_cloud_core.saga.steps.services import current_services
from arcadia_cloud_core.saga.steps.validation import same_data
from arcadia_cloud_core.testing.drills import AFTER_ACTION, drill_point

log = logging.getLogger(__name__)

UPSERT_KIND = "upsert_dns_record"
DELETE_KIND = "delete_dns_record"
PRIOR_KEY = "dns_prior"
RECORD_KEY = "dns_record"
DELETED_KEY = "dns_deleted"
_EXTRA_FIELDS = ("priority", "port", "weight", "flags", "tag")


def stash(record: DomainRecord) -> dict[str, Any]:
    """A record as JSON for the context (enough to compare, restore or recreate it)."""
    return {
        "id": record.id,
        "type": record.type,
        "name": record.name,
        "data": record.data,
        "ttl": record.ttl,
        **{name: getattr(record, name) for name in _EXTRA_FIELDS},
    }


def records_of(do: DOClient, spec: DnsRecordSpec) -> list[DomainRecord]:
    """The zone's records of the spec's type and name (oldest first)."""
    with do_call(f"list {spec.type} records {spec.fqdn}"):
        listing = do.list_domain_records(spec.domain, type=spec.type, name=spec.fqdn)
    matches = [r for r in listing if r.type == spec.type and r.name.lower() == spec.name]
    return sorted(matches, key=lambda r: int(r.id))


def _prior(state: SagaState) -> list[Mapping[str, Any]]:
    prior = state.context.get(PRIOR_KEY)
    if prior is None:
        raise PermanentStepError(f"saga {state.saga_id}: the DNS records were never read")
    return list(prior["records"])


def _create(do: DOClient, spec: DnsRecordSpec, fields: Mapping[str, Any]) -> DomainRecord:
    extras = {k: fields[k] for k in _EXTRA_FIELDS if fields.get(k) is not None}
    with do_call(f"create {spec.type} record {spec.fqdn}"):
        return do.create_domain_record(
            spec.domain,
            type=spec.type,
            name=spec.name,
            data=str(fields["data"]),
            ttl=fields.get("ttl"),
            **extras,
        )


def _differs(record: DomainRecord, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``fields`` the record does not have (data compared loosely)."""
    changes: dict[str, Any] = {}
    data = fields.get("data")
    if data is not None and not same_data(record.type, record.data, str(data)):
        changes["data"] = data
    for name in ("ttl", *_EXTRA_FIELDS):
        wanted = fields.get(name)
        if wanted is not None and getattr(record, name) != wanted:
            changes[name] = wanted
    return changes


class ReadDnsRecords(Step):
    """Stash the records of the (type, name) before anything changes (read-only)."""

    name = "read_dns_records"
    description = "Read and stash the records of the type and name (the undo restores them)."
    max_attempts = 3
    retry_delay_seconds = 1.0

    def __init__(self, *, data_required: bool = True) -> None:
        self.data_required = data_required

    def execute(self, state: SagaState) -> SagaState:
        spec = DnsRecordSpec.from_inputs(state.inputs, data_required=self.data_required)
        records = records_of(current_services().do(), spec)
        return state.with_context(
            **{PRIOR_KEY: {"fqdn": spec.fqdn, "records": [stash(r) for r in records]}}
        )


class UpsertDnsRecord(Step):
    """Create, keep or update the record so the (type, name) has the wanted data and ttl."""

    name = "upsert_dns_record"
    description = (
        "Ensure the type and name have the data/ttl: create, no-op, or update. Undo: delete "
        "what was created, restore what was changed."
    )
    max_attempts = 3
    retry_delay_seconds = 1.0

    def execute(self, state: SagaState) -> SagaState:
        spec = DnsRecordSpec.from_inputs(state.inputs)
        prior = {str(r["id"]): r for r in _prior(state)}
        do = current_services().do()
        current = records_of(do, spec)
        wanted: dict[str, Any] = {"data": spec.data, "ttl": spec.ttl, **(spec.extras or {})}
        target = next((r for r in current if same_data(spec.type, r.data, str(spec.data))), None)
        if target is None and len(current) > 1:
            raise PermanentStepError(
                f"{len(current)} {spec.type} records named {spec.fqdn} exist and none has "
                f"data {spec.data!r}: refusing to guess which to change (delete the extras first)"
            )
        if target is None and current:
            target = current[0]
        if target is None:
            record = _create(do, spec, wanted)
        else:
            changes = _differs(target, wanted)
            record = target
            if changes:
                with do_call(f"update {spec.type} record {spec.fqdn} ({target.id})"):
                    record = do.update_domain_record(spec.domain, target.id, changes=changes)
        drill_point(self.name, AFTER_ACTION)
        if record.id not in prior:
            outcome = "created"
        elif _differs(record, prior[record.id]):
            outcome = "updated"
        else:
            outcome = "unchanged"
        log.info("saga %s: %s record %s %s", state.saga_id, spec.type, spec.fqdn, outcome)
        return state.with_context(**{RECORD_KEY: {**stash(record), "outcome": outcome}})

    def compensate(self, state: SagaState) -> None:
        spec = DnsRecordSpec.from_inputs(state.inputs)
        prior = {str(r["id"]): r for r in _prior(state)}
        do = current_services().do()
        current = {r.id: r for r in records_of(do, spec)}
        for record_id in current:
            if record_id not in prior:
                with do_call(f"delete {spec.type} record {spec.fqdn} ({record_id})"):
                    do.delete_domain_record(spec.domain, record_id, missing_ok=True)
                log.info("saga %s: deleted the record it created (%s)", state.saga_id, record_id)
        for record_id, before in prior.items():
            now = current.get(record_id)
            if now is None:
                _create(do, spec, before)
                log.info("saga %s: recreated record %s", state.saga_id, record_id)
            elif changes := _differs(now, before):
                with do_call(f"restore {spec.type} record {spec.fqdn} ({record_id})"):
                    do.update_domain_record(spec.domain, record_id, changes=changes)
                log.info("saga %s: restored record %s: %s", state.saga_id, record_id, changes)


class DeleteDnsRecord(Step):
    """Delete the record with ``data`` (or the only record of the type and name)."""

    name = "delete_dns_record"
    description = (
        "Delete the record (the one with data, or the only one of the type and name). "
        "Undo: recreate it from the stash."
    )
    max_attempts = 3
    retry_delay_seconds = 1.0

    @staticmethod
    def _doomed(state: SagaState, spec: DnsRecordSpec) -> list[Mapping[str, Any]] | None:
        """The stashed records to delete; None when ambiguous (several, no data given)."""
        prior = _prior(state)
        if spec.data is not None:
            return [r for r in prior if same_data(spec.type, str(r["data"]), spec.data)]
        return prior if len(prior) <= 1 else None

    def execute(self, state: SagaState) -> SagaState:
        spec = DnsRecordSpec.from_inputs(state.inputs, data_required=False)
        doomed = self._doomed(state, spec)
        if doomed is None:
            raise PermanentStepError(
                f"several {spec.type} records named {spec.fqdn} exist: give data to say which "
                "one to delete"
            )
        do = current_services().do()
        deleted = []
        for record in doomed:
            with do_call(f"delete {spec.type} record {spec.fqdn} ({record['id']})"):
                existed = do.delete_domain_record(spec.domain, record["id"], missing_ok=True)
            deleted.append({**record, "was_present": existed})
        drill_point(self.name, AFTER_ACTION)
        return state.with_context(**{DELETED_KEY: {"records": deleted}})

    def compensate(self, state: SagaState) -> None:
        spec = DnsRecordSpec.from_inputs(state.inputs, data_required=False)
        doomed = self._doomed(state, spec)
        if not doomed:
            return  # nothing was (or could have been) deleted
        do = current_services().do()
        current = records_of(do, spec)
        for record in doomed:
            if any(same_data(spec.type, r.data, str(record["data"])) for r in current):
                continue
            created = _create(do, spec, record)
            log.info("saga %s: recreated deleted record as %s", state.saga_id, created.id)


def upsert_dns_record_saga() -> SagaDefinition:
    """ReadDnsRecords -> UpsertDnsRecord."""
    return SagaDefinition(
        UPSERT_KIND,
        [ReadDnsRecords(), UpsertDnsRecord()],
        description="Ensure a DNS record has the wanted data/ttl (undo restores the zone).",
    )


def delete_dns_record_saga() -> SagaDefinition:
    """ReadDnsRecords -> DeleteDnsRecord."""
    return SagaDefinition(
        DELETE_KIND,
        [ReadDnsRecords(data_required=False), DeleteDnsRecord()],
        description="Delete a DNS record (undo recreates it).",
    )
