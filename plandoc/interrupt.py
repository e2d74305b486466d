"""Ctrl-C held back while the build's process is inside the worker pool's locks.

`concurrent.futures.wait()` takes the futures' locks one by one; a KeyboardInterrupt raised
between two of them leaves the first ones taken, and the pool's own thread, told to shut down,
then waits for them forever: a build hung on Ctrl-C, once in a dozen on a loaded machine.
Inside `held()` the signal is only noted, and delivered again when the block is left."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C that comes inside the block is raised as it leaves it, through whatever handler
    was there before (the default raises KeyboardInterrupt).  Elsewhere than the main thread,
    where Python runs no signal handler, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield           # (None: a handler set outside Python, which cannot be put back)
        return
    came = []
    previous = signal.signal(signal.SIGINT, lambda *_: came.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if came:
            signal.raise_signal(signal.SIGINT)


__all__ = ["held"]
