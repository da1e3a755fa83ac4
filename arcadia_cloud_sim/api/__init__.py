"""The layer every kind shares: ``errors`` (DO's error bodies), ``envelopes`` (JSON bodies),
``pagination`` (``links.pages``, ``meta.total``, per_page 20/200), ``endpoints`` (fetch-or-404
and the generic list, get and delete endpoints), ``members`` (add/remove membership lists),
``kinds`` (store kinds and id sequences), ``urns`` (project membership by URN) and ``family``
(the routes of a list of kind modules)."""
