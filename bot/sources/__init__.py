"""Where articles come from: download (`fetch`), feeds (`feeds`) and article pages (`pages`).

Submodules are imported by name rather than re-exported here, so that using
one (the charset decoder, say) does not load the HTML parser and feedparser.
"""
