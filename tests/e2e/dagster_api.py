"""What an operator does through Dagster's API: launch a job, wait for it, read what it recorded.

Launching and run status go through ``dagster_graphql.DagsterGraphQLClient``; what the client has
no method for (step failures, asset materialisation metadata, schedule and sensor state, runs by
tag) are raw GraphQL queries posted with httpx.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

from tests.e2e.deployment import Deployment

REPOSITORY = "__repository__"  # the repository name of a `Definitions` object
ASSETS = "arcadia_cloud_assets"
OPS = "arcadia_cloud_ops"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
POLL_SECONDS = 1.0

STEP_FAILURES_QUERY = """
query StepFailures($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on ExecutionStepFailureEvent {
          stepKey
          error { className message cause { className message cause { className message } } }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

METADATA_FIELDS = """
  __typename
  label
  ... on IntMetadataEntry { intValue }
  ... on FloatMetadataEntry { floatValue }
  ... on TextMetadataEntry { text }
  ... on BoolMetadataEntry { boolValue }
  ... on JsonMetadataEntry { jsonString }
  ... on TableMetadataEntry { table { records } }
"""

RUN_MATERIALIZATIONS_QUERY = """
query RunMaterializations($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run {
      assetMaterializations {
        runId
        partition
        assetKey { path }
        metadataEntries { METADATA_FIELDS }
      }
    }
  }
}
""".replace("METADATA_FIELDS", METADATA_FIELDS)

AUTOMATION_QUERY = """
query Automation($selector: RepositorySelector!) {
  schedulesOrError(repositorySelector: $selector) {
    __typename
    ... on Schedules { results { name scheduleState { status } } }
  }
  sensorsOrError(repositorySelector: $selector) {
    __typename
    ... on Sensors { results { name sensorState { status } } }
  }
}
"""

RUNS_QUERY = """
query Runs($filter: RunsFilter!) {
  runsOrError(filter: $filter) {
    __typename
    ... on Runs { results { runId status jobName tags { key value } } }
  }
}
"""

REEXECUTE_MUTATION = """
mutation Reexecute($params: ReexecutionParams!) {
  launchRunReexecution(reexecutionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""

STEP_STATS_QUERY = """
query StepStats($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { stepStats { stepKey status } }
  }
}
"""

SENSOR_QUERY = """
query Sensor($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor {
      sensorState {
        id
        status
        ticks(limit: 10) { status runIds timestamp }
      }
    }
  }
}
"""

STOP_SENSOR_MUTATION = """
mutation StopSensor($id: String!) {
  stopSensor(id: $id) {
    __typename
    ... on StopSensorMutationResult { instigationState { status } }
    ... on PythonError { message }
  }
}
"""

#: What the UI's Terminate sends: SAFE_TERMINATE, or MARK_AS_CANCELED_IMMEDIATELY when its
#: "Force termination" box is ticked.
TERMINATE_MUTATION = """
mutation Terminate($runIds: [String!]!, $policy: TerminateRunPolicy) {
  terminateRuns(runIds: $runIds, terminatePolicy: $policy) {
    __typename
    ... on TerminateRunsResult { terminateRunResults { __typename } }
    ... on PythonError { message }
  }
}
"""


@dataclass(frozen=True)
class StepFailure:
    """A failed step: its key, and the error our code raised (Dagster's wrappers peeled off)."""

    step_key: str
    error_class: str
    message: str


@dataclass(frozen=True)
class Materialization:
    """One materialisation of an asset: the run, the partition and its metadata."""

    run_id: str
    partition: str | None
    metadata: Mapping[str, Any]


class DagsterAPI:
    """The deployment's Dagster API, as an operator's script would use it."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.client = DagsterGraphQLClient("127.0.0.1", port_number=deployment.webserver_port)

    def launch(
        self,
        job: str,
        *,
        location: str,
        run_config: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Submit a run (queued; the daemon starts it); returns the run id."""
        return self.client.submit_job_execution(
            job,
            repository_location_name=location,
            repository_name=REPOSITORY,
            run_config=dict(run_config or {}),
            tags=dict(tags or {}),
        )

    def wait_for_run(self, run_id: str, *, timeout: float = 90.0) -> DagsterRunStatus:
        """Poll the run's status (every second) until it finished; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        status = self.client.get_run_status(run_id)
        while status not in FINISHED:
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run_id} still {status.value} after {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
            status = self.client.get_run_status(run_id)
        return status

    def run_job(
        self,
        job: str,
        *,
        location: str,
        run_config: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        timeout: float = 90.0,
    ) -> tuple[str, DagsterRunStatus]:
        """Launch ``job`` and wait for it; returns the run id and its final status."""
        run_id = self.launch(job, location=location, run_config=run_config, tags=tags)
        return run_id, self.wait_for_run(run_id, timeout=timeout)

    def reexecute_from_failure(self, run_id: str) -> str:
        """The UI's "Re-execute from failure" on a failed run; returns the new run's id."""
        params = {"parentRunId": run_id, "strategy": "FROM_FAILURE"}
        result = self.deployment.graphql(REEXECUTE_MUTATION, {"params": params})
        launched = result["launchRunReexecution"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return launched["run"]["runId"]

    def step_statuses(self, run_id: str) -> dict[str, str]:
        """``{step key: SUCCESS/FAILURE/SKIPPED…}`` of the steps the run executed."""
        run = self.deployment.graphql(STEP_STATS_QUERY, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        return {stat["stepKey"]: stat["status"] for stat in run["stepStats"]}

    def step_failures(self, run_id: str) -> list[StepFailure]:
        """Every failed step of the run with the error our code raised."""
        data = self.deployment.graphql(STEP_FAILURES_QUERY, {"runId": run_id})["logsForRun"]
        assert data["__typename"] == "EventConnection", data
        failures = []
        for event in data["events"]:
            if event["__typename"] != "ExecutionStepFailureEvent":
                continue
            error = event["error"]
            while error["className"].startswith("Dagster") and error.get("cause"):
                error = error["cause"]
            failures.append(
                StepFailure(event["stepKey"], error["className"], error["message"].strip())
            )
        return failures

    def run_materializations(self, run_id: str) -> dict[str, Materialization]:
        """What a run materialised: ``{"inventory/droplets": Materialization, …}``.

        Partitioned assets are keyed ``"<asset key>[<partition>]"``.
        """
        data = self.deployment.graphql(RUN_MATERIALIZATIONS_QUERY, {"runId": run_id})
        run = data["runOrError"]
        assert run["__typename"] == "Run", run
        out: dict[str, Materialization] = {}
        for event in run["assetMaterializations"]:
            key = "/".join(event["assetKey"]["path"])
            if event["partition"] is not None:
                key = f"{key}[{event['partition']}]"
            out[key] = Materialization(
                run_id=event["runId"],
                partition=event["partition"],
                metadata={entry["label"]: _value(entry) for entry in event["metadataEntries"]},
            )
        return out

    def automation_status(self, location: str) -> dict[str, str]:
        """``{schedule or sensor name: RUNNING/STOPPED}`` of a code location."""
        selector = {"repositoryLocationName": location, "repositoryName": REPOSITORY}
        data = self.deployment.graphql(AUTOMATION_QUERY, {"selector": selector})
        schedules, sensors = data["schedulesOrError"], data["sensorsOrError"]
        assert schedules["__typename"] == "Schedules", schedules
        assert sensors["__typename"] == "Sensors", sensors
        status = {s["name"]: s["scheduleState"]["status"] for s in schedules["results"]}
        status.update({s["name"]: s["sensorState"]["status"] for s in sensors["results"]})
        return status

    def sensor_ticks(self, sensor: str, *, location: str) -> list[dict[str, Any]]:
        """The sensor's latest ticks (newest first): ``status``, ``runIds``, ``timestamp``."""
        state = self._sensor_state(sensor, location=location)
        return state["ticks"]

    def stop_sensor(self, sensor: str, *, location: str) -> str:
        """Turn a sensor off (Automation → toggle in the UI); returns its new status."""
        state = self._sensor_state(sensor, location=location)
        data = self.deployment.graphql(STOP_SENSOR_MUTATION, {"id": state["id"]})["stopSensor"]
        assert data["__typename"] == "StopSensorMutationResult", data
        return data["instigationState"]["status"]

    def _sensor_state(self, sensor: str, *, location: str) -> dict[str, Any]:
        selector = {
            "repositoryLocationName": location,
            "repositoryName": REPOSITORY,
            "sensorName": sensor,
        }
        data = self.deployment.graphql(SENSOR_QUERY, {"selector": selector})["sensorOrError"]
        assert data["__typename"] == "Sensor", data
        return data["sensorState"]

    def terminate(self, run_ids: list[str], *, policy: str = "SAFE_TERMINATE") -> list[str]:
        """The UI's Terminate: cancel queued runs and terminate started ones (a run that finished
        meanwhile stays); returns each run's result type (``TerminateRunSuccess`` or a failure).
        ``policy="MARK_AS_CANCELED_IMMEDIATELY"`` is the UI's force termination."""
        if not run_ids:
            return []
        variables = {"runIds": run_ids, "policy": policy}
        data = self.deployment.graphql(TERMINATE_MUTATION, variables)["terminateRuns"]
        assert data["__typename"] == "TerminateRunsResult", data
        return [result["__typename"] for result in data["terminateRunResults"]]

    def runs(
        self,
        *,
        job: str | None = None,
        tags: Mapping[str, str] | None = None,
        run_ids: list[str] | None = None,
    ) -> list[dict]:
        """Runs (newest first), filtered by job name, tags and ids; ``tags`` as a dict."""
        run_filter: dict[str, Any] = {}
        if run_ids is not None:
            run_filter["runIds"] = run_ids
        if job is not None:
            run_filter["pipelineName"] = job
        if tags:
            run_filter["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        data = self.deployment.graphql(RUNS_QUERY, {"filter": run_filter})["runsOrError"]
        assert data["__typename"] == "Runs", data
        return [
            {**run, "tags": {tag["key"]: tag["value"] for tag in run["tags"]}}
            for run in data["results"]
        ]


def _value(entry: Mapping[str, Any]) -> Any:
    kind = entry["__typename"]
    if kind == "IntMetadataEntry":
        return entry["intValue"]
    if kind == "FloatMetadataEntry":
        return entry["floatValue"]
    if kind == "TextMetadataEntry":
        return entry["text"]
    if kind == "BoolMetadataEntry":
        return entry["boolValue"]
    if kind == "JsonMetadataEntry":
        return json.loads(entry["jsonString"])
    if kind == "TableMetadataEntry":
        return [json.loads(record) for record in entry["table"]["records"]]
    return entry
