"""Evaluation, benchmarks and load tools. They drive the product (``ingest``, ``index``, ``assistant``,
``ui``) from outside, mostly through its commands and public interfaces, and are no part of it.

Commands::

    python -m tools.evaluate       retrieval and answer quality on tools/eval/questions.jsonl and the external
                                   sets in tools/eval/external/, beside plain BM25 over fixed chunks (and a
                                   llama-index dense baseline on the bundled set); also ``python -m assistant eval``
    python -m tools.bench_ingest   ingest time, chunks/s, index size and peak memory: the corpus and a
                                   synthetic corpus --scale times larger
    python -m tools.growth         ingest, index size, memory, latency and retrieval quality as a synthetic
                                   corpus grows (1x-1000x), embedded Chroma and a Chroma server
    python -m tools.loadtest       concurrent users against the real chat server; memory over a soak
    python -m tools.generations    answers mixing index generations during repeated re-indexing; the time to
                                   restore a deleted vector store from the embedding cache

Shared helpers::

    processes.py    free ports, log tails, resident memory of a process tree, disk usage, watched child runs
    servers.py      UIServer (python -m ui) and ChromaServer (chroma run) on a free localhost port
    ingest_runs.py  python -m ingest in a child process, into a fresh data directory; its summary line
    synthetic.py    the synthetic corpus: the real documents plus recombinations of their sections
    output.py       aligned text tables and progress lines
    eval_sets.py    the evaluation sets (bundled, tools/eval/external/<name>/), splits, the SweFAQ set builder
    eval_metrics.py support, first supporting passage, key-fact coverage, citation validity
    baselines.py    plain Swedish BM25 over fixed 200-word chunks
"""
