"""Projects and project resources (URNs)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Project, ProjectResource
from arcadia_cloud_core.digitalocean.pagination import collect_from_body
from arcadia_cloud_core.digitalocean.transport import RequestCounter
from arcadia_cloud_core.digitalocean.validation import uuid_id

_URN = re.compile(r"do:[a-z_]{2,40}:[A-Za-z0-9._:-]{1,255}")
_DEFAULT = frozenset({"default"})


def _project_id(project_id: str) -> str:
    return uuid_id(project_id, arg="project_id", allow=_DEFAULT)


class ProjectsAPI(APIBase):
    """``/v2/projects``."""

    def list_projects(self) -> Listing[Project]:
        """``GET /v2/projects``."""
        return self._list("/v2/projects", "projects", Project.from_payload)

    def get_project(self, project_id: str) -> Project:
        """``GET /v2/projects/{id}`` (``"default"`` for the default project)."""
        pid = _project_id(project_id)
        return self._get_one(f"/v2/projects/{pid}", "project", Project.from_payload)

    def get_default_project(self) -> Project:
        """``GET /v2/projects/default``."""
        return self.get_project("default")

    def list_project_resources(self, project_id: str) -> Listing[ProjectResource]:
        """Resources assigned to the project (``"default"`` allowed), URNs split to kind/id."""
        pid = _project_id(project_id)
        parse = partial(ProjectResource.from_payload, project_id=None if pid == "default" else pid)
        return self._list(f"/v2/projects/{pid}/resources", "resources", parse, id_field="urn")

    def assign_project_resources(
        self, project_id: str, urns: Sequence[str]
    ) -> Listing[ProjectResource]:
        """Move ``urns`` into the project; returns the project's resources as DO lists them.

        Assignment is idempotent in DO (a repeat says ``already_assigned``), so this POST is
        retried on 5xx and timeouts like a GET.
        """
        pid = _project_id(project_id)
        if not urns:
            raise ValueError("urns must not be empty")
        for urn in urns:
            if not isinstance(urn, str) or not _URN.fullmatch(urn):
                raise ValueError(f"invalid urns: {urn!r:.60} is not a DO URN (do:<kind>:<id>)")
        path = f"/v2/projects/{pid}/resources"
        counter = RequestCounter()
        body = self._write(
            "POST", path, body={"resources": list(urns)}, idempotent=True, counter=counter
        )
        parse = partial(ProjectResource.from_payload, project_id=None if pid == "default" else pid)
        return collect_from_body(
            body,
            key="resources",
            parse=parse,
            id_field="urn",
            method="POST",
            path=path,
            requests=counter.value,
        )


__all__ = ["ProjectsAPI"]
