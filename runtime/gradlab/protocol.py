"""The host <-> grading-worker boundary, mirrored once from src/protocol/worker.ts (change both together and
bump PROTOCOL_VERSION there and here).

Transport: stdio, every message one frame ``Content-Length: <bytes>\\r\\n\\r\\n<UTF-8 JSON>``. Requests carry an
integer ``id`` and get exactly one response with that id; notifications carry none. A ``check`` request streams:
each check's result goes out as a ``result`` notification (ResultParams) as soon as it is known, and the response
then closes the request with the whole report.
"""

import json
import os

PROTOCOL_VERSION = 5


class Method:
    HELLO = "hello"
    CHECK = "check"
    RECORD = "record"
    MUTANTS = "mutants"
    SHUTDOWN = "shutdown"


class Notification:
    CANCEL = "cancel"
    LOG = "log"
    RESULT = "result"


class ErrorCode:
    BAD_REQUEST = "bad-request"
    PACK = "pack"
    MISSING_DEPENDENCY = "missing-dependency"
    UNSUPPORTED_PLATFORM = "unsupported-platform"
    ISOLATION_UNAVAILABLE = "isolation-unavailable"
    CANCELLED = "cancelled"
    INTERNAL = "internal"


DEFAULT_LIMITS = {"timeoutS": 10, "memoryMb": 1024, "outputKb": 64}
PRELOAD_VARIABLE = "GRADLAB_PRELOAD"  # heavy packages the zygote imports at start, comma-separated
ISOLATION_VARIABLE = "GRADLAB_ISOLATION"  # required | auto | off: OS-level isolation of the learner's processes
SANDBOX_VARIABLE = "GRADLAB_SANDBOX"  # auto | fork | spawn: how learner processes are made (gradlab.sandbox.choice)


class WorkerError(Exception):
    """A request that ends in an error response (ResponseError)."""

    def __init__(self, code, message, missing=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.missing = missing

    def to_json(self):
        error = {"code": self.code, "message": self.message}
        if self.missing:
            error["missing"] = list(self.missing)
        return error


class Cancelled(WorkerError):
    def __init__(self, message="The request was cancelled."):
        super().__init__(ErrorCode.CANCELLED, message)


class MalformedFrame(Exception):
    """The byte stream does not hold a Content-Length frame: the channel is unusable."""


MAX_HEADER_BYTES = 1024


def encode_frame(message):
    body = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class FrameReader:
    """Reads frames from a file descriptor; ``read()`` returns the decoded JSON value, or None at EOF."""

    def __init__(self, fd):
        self._fd = fd
        self._buffer = b""

    def _fill(self):
        chunk = os.read(self._fd, 65536)
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def read(self):
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > MAX_HEADER_BYTES:
                raise MalformedFrame("no frame header in the first 1 KiB")
            if not self._fill():
                if self._buffer.strip():
                    raise MalformedFrame("the stream ended inside a frame header")
                return None
        header, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        length = None
        for line in header.decode("ascii", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value.strip())
        if length is None:
            raise MalformedFrame(f"bad frame header {header[:80]!r}")
        while len(self._buffer) < length:
            if not self._fill():
                raise MalformedFrame("the stream ended inside a frame body")
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return json.loads(body.decode("utf-8"))
