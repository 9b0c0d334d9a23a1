"""A cancellation flag that a waiting loop can also ``select`` on (the worker's reader thread sets it when the
host sends ``cancel``), so a check that waits for the learner's process stops at once."""

import os
import threading

from gradlab.protocol import Cancelled


class CancelToken:
    def __init__(self):
        self._event = threading.Event()
        self._read, self._write = os.pipe()

    def fileno(self):
        return self._read

    def set(self):
        if not self._event.is_set():
            self._event.set()
            os.write(self._write, b"x")

    def raise_if_set(self):
        if self._event.is_set():
            raise Cancelled()

    def close(self):
        os.close(self._read)
        os.close(self._write)
