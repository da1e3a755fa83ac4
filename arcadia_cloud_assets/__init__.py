"""arcadia_cloud_assets"""
