"""The record marker, byte for byte as harness/ledger/record.ts writes and reads it.

A message looks like ``lj:3:1042:9f1c22ab:Qx81...;``. The checksum is FNV-1a over the
producer, the sequence number and the payload's UTF-16 code units (JavaScript's string
units), so the Node ledger checks records written by Python exactly as it checks its own.
"""

import random

MARKER_PREFIX = "lj:"
MARKER_END = ";"

PAYLOAD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Whole code points that JSON and text formatters pass through unescaped (as record.ts).
UTF8_ALPHABET = (
    list(PAYLOAD_ALPHABET[:24])
    + list("éßøłžΩλπЖщя")
    + ["\u0301", "\u0308", "\u0323"]
    + list("日本語漢字記録木構造あいうカタ")
    + ["😀", "🚀", "👍", "🧵", "𝄞"]
)

_M = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & _M


def record_hash(producer, seq, payload):
    """FNV-1a as record.ts's recordHash: 32-bit, over UTF-16 code units."""
    h = (0x811C9DC5 ^ producer) & _M
    h = _imul(h, 0x01000193) ^ seq
    h = _imul(h & _M, 0x01000193)
    if payload.isascii():
        units = payload.encode("ascii")
    else:
        units = memoryview(payload.encode("utf-16-le")).cast("H")
    for u in units:
        h = ((h ^ u) * 0x01000193) & _M
    return h


def encode_record(producer, seq, payload):
    return "%s%d:%d:%08x:%s%s" % (MARKER_PREFIX, producer, seq, record_hash(producer, seq, payload), payload, MARKER_END)


class PayloadSource:
    """Deterministic payloads for one producer: a function of the seed and the record's seq."""

    def __init__(self, seed, min_length, max_length, text="ascii"):
        if not (0 <= min_length <= max_length):
            raise ValueError("Expected 0 <= min_length <= max_length, got %r and %r" % (min_length, max_length))
        rnd = random.Random(seed)
        size = max(4096, max_length * 2)
        alphabet = UTF8_ALPHABET if text == "utf8" else PAYLOAD_ALPHABET
        self._points = [alphabet[rnd.randrange(len(alphabet))] for _ in range(size)]
        self._block = "".join(self._points)
        self._utf8 = text == "utf8"
        self._min = min_length
        self._span = max_length - min_length + 1

    def payload(self, seq):
        length = self._min + ((seq * 0x9E3779B1) & _M) % self._span
        offset = ((seq * 0x85EBCA6B) & _M) % (len(self._points) - length + 1)
        if self._utf8:
            # Joined fresh: a combining mark may lead, as in record.ts; it is still whole UTF-8.
            return "".join(self._points[offset:offset + length])
        return self._block[offset:offset + length]
