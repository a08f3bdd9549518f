"""Raw payload compression (``catalog.db.types``): what the store writes reads back, in any thread."""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalog.db.types import RAW_COMPRESSION, pack_raw, unpack_raw

_LINE = '<https://d.example/{n}> <http://purl.org/dc/terms/title> "Parkeerzone {n} — Gent" .\n'


def _payload(n: int) -> bytes:
    return "".join(_LINE.format(n=n * 1000 + i) for i in range(60)).encode()


def test_payloads_read_back_as_harvested_from_many_threads_at_once() -> None:
    # Each thread keeps its own compression context; payloads of different sizes must not mix.
    payloads = [_payload(n)[: 200 + 97 * n] for n in range(64)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        packed = list(pool.map(pack_raw, payloads))
        back = list(pool.map(lambda data: unpack_raw(data, RAW_COMPRESSION), packed))
    assert back == payloads
    assert sum(map(len, packed)) < sum(map(len, payloads)) / 3


def test_older_forms_still_read_and_an_unknown_one_is_refused() -> None:
    data = _payload(1)
    assert unpack_raw(data, None) == data
    assert unpack_raw(zlib.compress(data, 1, 13), "zlib") == data
    assert unpack_raw(pack_raw(b""), RAW_COMPRESSION) == b""
    with pytest.raises(ValueError, match="unknown raw payload compression 'lz4'"):
        unpack_raw(data, "lz4")
