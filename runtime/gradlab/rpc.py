"""Frames between the grader and the learner's process: an 8-byte big-endian length, then a UTF-8 JSON
object. Requests go grader -> learner and each gets exactly one reply; values inside them use ``gradlab.codec``.

The learner's side reads and writes with blocking calls; the grader's side feeds whatever bytes arrive into
``FrameBuffer`` so that it can wait on several things at once (see gradlab.sandbox.process).
"""

import json
import os
import struct
# Bound at import: a learner who replaces built-ins in the sandboxed process does not break the frames there.
from builtins import bytearray, bytes, dict, len, memoryview, min, type

HEADER = struct.Struct(">Q")
# The learner's process exits with this status when it cannot write to the grader any more (the learner closed the
# channel, or the grader is gone).
CHANNEL_LOST = 75
# ... and with this one when the sandbox's own code failed inside it: the learner's code changed Python (a built-in,
# a module the sandbox uses) so that the process could no longer answer.
SANDBOX_BROKEN = 70
# A reply larger than this is refused: it is not an answer worth grading and would only exhaust memory.
MAX_FRAME_BYTES = 256 * 1024 * 1024


class FrameError(ValueError):
    """The peer sent bytes that are not a frame."""


def _reject_constant(name):
    raise FrameError(f"bare {name} is not allowed in a frame")


# Made once, at import: json.loads would otherwise look up `float` and `int` on every call, where a learner
# may have replaced them.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def encode(message):
    body = _ENCODER.encode(message).encode("utf-8")
    return HEADER.pack(len(body)) + body


def decode_body(body):
    try:
        message = _DECODER.decode(body.decode("utf-8"))
    except RecursionError:
        raise FrameError("the frame is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FrameError(f"the frame is not JSON: {error}") from None
    if type(message) is not dict:
        raise FrameError("a frame must hold a JSON object")
    return message


class FrameBuffer:
    """Accumulates bytes and yields complete frames (decoded)."""

    def __init__(self, limit=MAX_FRAME_BYTES):
        self._data = bytearray()
        self._limit = limit

    def feed(self, chunk):
        self._data += chunk
        frames = []
        while len(self._data) >= HEADER.size:
            (length,) = HEADER.unpack_from(self._data)
            if length > self._limit:
                raise FrameError(f"a frame of {length} bytes is larger than the {self._limit} allowed")
            end = HEADER.size + length
            if len(self._data) < end:
                break
            body = bytes(self._data[HEADER.size:end])
            del self._data[:end]
            frames.append(decode_body(body))
        return frames


def read_blocking(fd, read=os.read):
    """One frame from a blocking descriptor, or None at end of file."""
    header = _read_exactly(fd, HEADER.size, read)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise FrameError(f"a frame of {length} bytes is larger than allowed")
    body = _read_exactly(fd, length, read)
    if body is None:
        raise FrameError("the stream ended inside a frame")
    return decode_body(body)


def _read_exactly(fd, count, read):
    parts = []
    while count:
        chunk = read(fd, min(count, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        count -= len(chunk)
    return b"".join(parts)


def write_blocking(fd, message, write=os.write, encoded=False):
    """Write one frame; ``encoded``: ``message`` is already a frame's bytes (see encode)."""
    data = memoryview(message if encoded else encode(message))
    while data:
        data = data[write(fd, data):]
