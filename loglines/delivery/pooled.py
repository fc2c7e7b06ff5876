"""What every delivery client holds: a connection pool and a thread pool,
both released by ``close()`` (or by leaving a ``with`` block)."""

from __future__ import annotations


class Pooled:
    _executor = None
    _pool = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._pool is not None:
            self._pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
