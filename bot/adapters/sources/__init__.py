"""Where articles come from: download (`fetch`), feeds (`feeds`) and article pages (`pages`).

`pages` reads a page with the help of `page_text`, `page_meta`, `page_tree`,
`page_selectors`, `read_counter`, `most_read` and `social_links`.

Submodules are imported by name rather than re-exported here, so that using
one (the charset decoder, say) does not load the HTML parser and feedparser.
"""
