"""Networking: reserved/floating IPs, reserved IPv6, cloud firewalls, load balancers, DNS
domains, certificates and CDN endpoints (VPCs would go here); ``addresses`` hands out IPs."""
