"""arcadia_cloud_sim: a local DigitalOcean API simulator (the oracle our DO client is tested
against). Imports nothing of ours and binds loopback only.

Layout:

- ``__main__`` (CLI), ``launcher`` (subprocess + admin client), ``app`` (the Starlette app and
  its error handlers), ``registry`` (every kind module by family, in route order),
  ``middleware`` (auth, rate limit, faults, latency, stats), ``store`` (SQLite state + clock),
  ``context`` (``SimContext`` on ``request.app.state.sim``), ``lifecycle`` (lags), ``catalog``
  (regions, sizes, images), ``scenarios`` (seeding), ``admin`` (``/_sim``).
- ``api``: the one layer every kind shares — DO error bodies, envelopes, pagination, the generic
  GET endpoints, store kinds and ids, project URNs.
- One package per DO API family, one module per kind: ``account`` (account and catalog,
  projects, SSH keys, tags), ``compute`` (actions, droplets, autoscale pools, images),
  ``storage`` (snapshots, volumes, the container registry), ``networking`` (reserved IPs and
  IPv6, firewalls, load balancers, domains, certificates, CDN endpoints; ``addresses``),
  ``monitoring`` (alert policies, uptime checks), ``functions`` (namespaces), ``billing``
  (billing API and the finance service). ``seeds`` seeds the account-level kinds of the
  ``default`` scenario from their modules. Families without a kind yet (apps, databases,
  kubernetes…) get a package when their first kind arrives, and a line in ``registry``.
"""
