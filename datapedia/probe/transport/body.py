"""The body of an answer: streamed, decoded, capped, and spooled to disk when large.

The size cap bounds the *decoded* bytes, so a gzip bomb is cut while it inflates.
Up to ``memory_bytes`` a body stays in memory; beyond, the download continues into a
temporary file, so N concurrent downloads hold at most N x ``memory_bytes`` in memory
whatever the cap (see ``TransportSettings.memory_budget``).
"""

from __future__ import annotations

import tempfile
import time
import zlib
from typing import IO

import requests
import urllib3.exceptions

from datapedia.probe.transport.errors import FetchError

_CHUNK = 64 * 1024


class Body:
    """A downloaded body: in memory while small, in an anonymous temporary file beyond.

    One growing buffer, not a list of chunks joined at the end (the join held a body
    twice at its peak); once it would pass ``memory_bytes`` it moves to disk whole.
    """

    def __init__(self, memory_bytes: int) -> None:
        self._memory_bytes = memory_bytes
        self._memory = bytearray()
        self._disk: IO[bytes] | None = None
        self.size = 0  # bytes kept
        self.seen = 0  # decoded bytes received (more than kept when the cap stopped it)

    def write(self, data: bytes) -> None:
        if self._disk is None and len(self._memory) + len(data) > self._memory_bytes:
            self._disk = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            self._disk.write(self._memory)
            self._memory = bytearray()
        if self._disk is None:
            self._memory += data
        else:
            self._disk.write(data)
        self.size += len(data)

    @property
    def held(self) -> int:
        """Bytes of this body in memory now."""
        return len(self._memory)

    @property
    def spooled(self) -> bool:
        """True when the body went to disk (it outgrew ``memory_bytes``)."""
        return self._disk is not None

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (for an error snippet)."""
        if self._disk is None:
            return bytes(self._memory[:size])
        self._disk.seek(0)
        return self._disk.read(size)

    def spooled_file(self) -> IO[bytes] | None:
        """The temporary file of a spooled body, at its start (None while in memory): a
        large body goes to its parser as a file and is never read whole into this process."""
        if self._disk is None:
            return None
        self._disk.seek(0)
        return self._disk

    def read(self) -> bytes:
        """The whole body, in memory: for the parse step, one body at a time."""
        if self._disk is None:
            return bytes(self._memory)
        self._disk.seek(0)
        return self._disk.read()

    def close(self) -> None:
        self._memory = bytearray()
        if self._disk is not None:
            self._disk.close()


class Inflater:
    """gzip/deflate decoding that notices a truncated stream.

    urllib3's decoder never checks that the compressed stream reached its end, so a
    download cut off at a gzip block boundary looked complete; zlib's ``eof`` and the
    gzip CRC check tell.
    """

    def __init__(self, wbits: int):
        self._wbits = wbits
        self._z = zlib.decompressobj(wbits)
        self._started = False

    @classmethod
    def for_encoding(cls, header: str) -> Inflater | None:
        encoding = header.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return cls(zlib.MAX_WBITS)  # zlib-wrapped; raw deflate is tried on the first error
        return None

    @property
    def finished(self) -> bool:
        return self._z.eof

    def feed(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._z.decompress(data, max_length)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            self._wbits = -zlib.MAX_WBITS  # servers that send raw deflate
            self._z = zlib.decompressobj(self._wbits)
            out = self._z.decompress(data, max_length)
        self._started = True
        if self._z.unconsumed_tail:  # max_length reached before the input was used up
            raise FetchError("too_large", "inhoud is te groot na decompressie")
        return out


def stream_into(body: Body, response: requests.Response, limit: int, deadline: float) -> None:
    """Stream and decode the body; stop at the size cap ``limit`` or at ``deadline``.

    ``body.seen`` counts the decoded bytes received, also when it stops with an error.
    """
    inflater = Inflater.for_encoding(response.headers.get("Content-Encoding", ""))
    try:
        while True:
            # read1 returns whatever arrived, so a trickle cannot hide behind a full buffer.
            raw = response.raw.read1(_CHUNK, decode_content=False)
            if not raw:
                break
            chunk = inflater.feed(raw, limit + 1 - body.seen) if inflater else raw
            body.seen += len(chunk)
            if body.seen > limit:
                raise FetchError("too_large", f"meer dan {limit} bytes (na decompressie)")
            if time.monotonic() > deadline:
                raise FetchError("timeout", "de download duurde langer dan de totale tijd")
            body.write(chunk)
        if inflater and not inflater.finished:
            raise FetchError("decode", "gecomprimeerde inhoud is afgebroken (onvolledig)")
    except (urllib3.exceptions.DecodeError, zlib.error) as error:
        raise FetchError("decode", str(error)) from error
    except urllib3.exceptions.ReadTimeoutError as error:
        raise FetchError("timeout", str(error)) from error
    except (urllib3.exceptions.ProtocolError, OSError) as error:
        raise FetchError("reset", str(error)) from error
