"""Services: the use cases (ingest, publishing, delivery, digests, trending, admin...).

Each receives its ports and options in `__init__`; they import the core and the adapters.
"""
