"""The core: Nashir's rules over plain data (articles, posts, text, formatting, limits).

Standard library only: no platform, network or database library is imported here.
"""
