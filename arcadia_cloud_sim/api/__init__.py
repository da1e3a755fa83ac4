"""The layer every kind shares: ``errors`` (DO's error bodies), ``envelopes`` (JSON bodies),
``pagination`` (``links.pages``, ``meta.total``, per_page 20/200), ``endpoints`` (the generic
GETs and fetch-or-404), ``kinds`` (store kinds and ids), ``urns`` (project membership) and
``family`` (how a family package lists its kinds)."""
