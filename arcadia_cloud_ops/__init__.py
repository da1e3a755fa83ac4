"""arcadia_cloud_ops"""
