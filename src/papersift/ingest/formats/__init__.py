"""The ingest formats: one streaming parser module per format, all with the same shape.

Each module has `NAME`, `EXTENSIONS` (files a directory source picks up, with or without `.gz`) and
`parse(stream, name, page) -> Iterator[Parsed | RecordError]`.
"""

from papersift.ingest.formats import atom, hfdaily, listing, oai, rss, snapshot

FORMATS = {module.NAME: module for module in (oai, atom, snapshot, listing, hfdaily, rss)}
PAGED = {oai.NAME, atom.NAME}  # formats whose URLs are harvested page by page
