"""Compute: droplets (``/v2/droplets``) and the actions of every resource (``/v2/actions``)."""
