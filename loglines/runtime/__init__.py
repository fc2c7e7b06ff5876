"""What every worker process shares: its context, stop signals, counters and
the loop that consumes a queue."""
