"""Where lines come in: log files followed across rotations (``files``),
archived logs replayed (``replay``), syslog (``syslog``), HTTP POSTs
(``http``) and Python's logging (``logging_handler``). Each turns what it
receives into queue messages (``loglines.message``) and pushes them through
the one producer path (``loglines.runtime.producer``)."""
