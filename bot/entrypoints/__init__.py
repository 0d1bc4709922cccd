"""Entry points beside `handlers` and `scheduler`: Nashir's HTTP routes.

The CMS hook, /metrics and /healthz. They call services; only the bootstrap imports them.
"""
