"""What the offline build and the online path both open: the vector stores
(:mod:`~assistant.storage.vectors`), the SQLite document store with its keyword index
(:mod:`~assistant.storage.docstore`) and the index handle with its one usability check
(:mod:`~assistant.storage.index`: :func:`~assistant.storage.index.open_index`,
:func:`~assistant.storage.index.index_status`). The embedders stay in :mod:`indexing.embed`.

Importing this package is cheap; import the submodule you need.
"""
