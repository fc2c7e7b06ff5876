"""Operating loglines: what ``loglines status`` and the Prometheus endpoint read.

Everything here lives in Redis beside the queues, written by the workers as
they already write their counters (once per batch), so every process on
every host contributes and a reader needs no worker to be running:

    {p}:rate:SECTION:BUCKET  HASH  counter name -> count in that 10 s bucket (TTL)
    {p}:hist:SECTION:NAME    HASH  histogram bucket -> observations, sum, count
    {p}:lag:SECTION          HASH  tailed file -> bytes not yet checkpointed
    {p}:id-times             ZSET  first id of a push -> push time (ms, Redis clock)
"""
