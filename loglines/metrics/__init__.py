"""Operating loglines: what ``loglines status`` and the Prometheus endpoint read.

Everything here lives in Redis beside the queues, written by the workers as
they already write their counters (once per batch), so every process on
every host contributes and a reader needs no worker to be running. The keys
(``id-times``, ``rate:``, ``hist:``, ``lag:``) are declared with all the
others in loglines.queue.keys.
"""
