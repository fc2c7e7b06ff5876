"""How far each tailer is behind its files, as the logfilewatcher publishes
it (``inputs.files.lag``): one hash per section, read here."""

from ..redis_connection import translated_errors


def read_lags(client, keyspace, section):
    with translated_errors():
        raw = client.hgetall(keyspace.lag(section))
    return {k.decode(): int(v) for k, v in sorted(raw.items())}
