"""Networking: reserved/floating IPs, cloud firewalls, load balancers and DNS domains
(VPCs, certificates and CDN endpoints would go here); ``addresses`` hands out their IPs."""
