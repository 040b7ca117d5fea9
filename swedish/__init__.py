"""The Swedish text toolkit: the one place for the language rules that ingest, the index
and the assistant share.

* ``sentences``: sentence boundaries that know Swedish abbreviations ("bl.a.", "t.ex.");
* ``tokens``: words, stop words, Snowball stems, compound parts, and stem matching;
* ``language``: is a text Swedish or (clearly) English;
* ``numbers``: digits and number words ("tre", "tolv") as values;
* ``dates``: month names, dates and years.

Nothing here knows about documents, indexes or parenting support.
"""
