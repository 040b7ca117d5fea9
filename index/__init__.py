"""The stored index: what ingest writes and the assistant reads.

* ``model``: the records (``DocumentInfo``, ``ParsedDocument`` with its ``Block``s, ``Chunk``);
* ``knowledge``: typed knowledge records (glossary, programmes, commitments);
* ``layout``: the data directory, the manifest (the commit point) and stored documents;
* ``atomic``: files that are fully written or not there;
* ``vectorstore``: the ``VectorStore`` protocol and the Chroma adapter;
* ``lexical``: the Swedish BM25 index;
* ``embedders``: embedding models (a table of back-ends) and the embedding cache;
* ``reader``: ``IndexReader``, the loaded index the assistant searches;
* ``check``: do the manifest, parsed documents, lexical index and vector store agree
  (``python -m ingest --check``; every ingest repairs what does not).

Public interface::

    from index import IndexReader, IndexNotReadyError
"""

from index.reader import IndexDamagedError, IndexMissingError, IndexNotReadyError, IndexReader

__all__ = ["IndexDamagedError", "IndexMissingError", "IndexNotReadyError", "IndexReader"]
