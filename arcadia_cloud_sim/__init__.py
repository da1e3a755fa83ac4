"""arcadia_cloud_sim: a local DigitalOcean API simulator (the oracle our DO client is tested
against). Imports nothing of ours and binds loopback only.

Layout: ``__main__`` (CLI), ``launcher`` (subprocess + admin client), ``app``/``middleware``
(routing; auth, rate limit, faults, latency, stats), ``store`` (SQLite state + clock),
``context`` (``SimContext`` on ``request.app.state.sim``), ``http`` (DO envelopes, errors,
pagination), ``lifecycle``/``actions`` (lags and async actions), one module per resource family,
``scenarios`` (seeding), ``billing*``/``finance`` (billing endpoints and the finance service).
"""
