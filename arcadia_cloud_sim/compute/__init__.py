"""Compute: droplets (``/v2/droplets``), their autoscale pools, images (``/v2/images``) and
the actions of every resource (``/v2/actions``)."""
