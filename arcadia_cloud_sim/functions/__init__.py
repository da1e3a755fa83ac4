"""Functions: namespaces (``/v2/functions/namespaces``)."""
