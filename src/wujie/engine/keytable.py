"""Idempotency keys as 64-bit hashes in a numpy open-addressing table, verified byte for byte.

A batch of keys travels as one buffer of UTF-8 bytes (keys joined by a NUL byte) and the end
offset of each key (:class:`KeyBatch`). Keys are hashed to 64 bits in a few vectorised passes (one
per 8-byte word of the longest key up to :data:`LONG` bytes; longer keys use BLAKE2b one by one).
The table (:class:`KeyTable`) keeps one entry per key: its hash, the key's bytes in an arena, and
what the key answered the first time (order number, amount, code, payment number). A lookup that
meets an entry with the same hash compares the key bytes as well, so two different keys are never
taken for one another, whatever their hashes: a wrong "same key" answer would charge twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wujie.shared.errors import InvalidInput

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]
Bytes = npt.NDArray[np.uint8]

#: keys longer than this many bytes are hashed and compared one by one (rare; bounds the vector passes)
LONG = 128
#: how many bits of each hash the table uses: 64 in production; tests lower it to force collisions
HASH_BITS = 64
_P1, _P2, _P3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_ALL_BITS = np.uint64(2**64 - 1)
_EMPTY = -1
_PAD = 8

#: what an idempotency key answered the first time: (order number, amount, code, payment number or 0)
KeyMemory = tuple[int, int, int, int]
MEMORY_COLUMNS = ("number", "amount", "code", "payment")


def _words(buf: Bytes) -> U64:
    """Return a view whose element ``j`` is the little-endian 8-byte word starting at byte ``j``."""
    view: U64 = np.ndarray(shape=(len(buf) - _PAD + 1,), dtype="<u8", buffer=buf, strides=(1,))
    return view


def _word(words: U64, starts: I64, lengths: I64, k: int) -> U64:
    """Return word ``k`` of each key (of keys longer than ``8 * k`` bytes), the bytes past its end zeroed."""
    cut = (8 * (8 - np.minimum(lengths - 8 * k, 8))).astype(np.uint64)  # keys here are longer than 8k bytes
    word: U64 = words[starts + 8 * k] & (_ALL_BITS >> cut)
    return word


@dataclass(frozen=True, slots=True)
class KeyBatch:
    """The keys of one batch: ``buf`` (UTF-8, NUL-joined, zero-padded), ``starts`` and ``lengths``."""

    buf: Bytes
    starts: I64
    lengths: I64

    @classmethod
    def from_strings(cls, keys: Sequence[str]) -> tuple[KeyBatch, bytes, bytes]:
        """Encode ``keys``; return the batch and its journal form (joined bytes, int32 end offsets)."""
        joined = "\x00".join(keys).encode("utf-8", "surrogatepass")
        if len(joined) >= 2**31:
            raise InvalidInput("the keys of one batch must take less than 2 GiB", size=len(joined))
        seps = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 0)
        if len(keys) and len(seps) == len(keys) - 1:
            ends = np.append(seps, len(joined)).astype(np.int32)
        else:  # some key holds a NUL byte (or there are no keys): measure each key
            sizes = np.fromiter((len(k.encode("utf-8", "surrogatepass")) for k in keys), np.int64, len(keys))
            ends = (np.cumsum(sizes + 1) - 1).astype(np.int32)
        blob = ends.tobytes()
        return cls.from_journal(joined, blob), joined, blob

    @classmethod
    def from_journal(cls, joined: bytes, ends_blob: bytes) -> KeyBatch:
        """Rebuild the batch from its journal form."""
        ends = np.frombuffer(ends_blob, dtype=np.int32).astype(np.int64)
        starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
        buf = np.zeros(len(joined) + _PAD, dtype=np.uint8)
        buf[: len(joined)] = np.frombuffer(joined, dtype=np.uint8)
        return cls(buf, starts.astype(np.int64), ends - starts)

    def __len__(self) -> int:
        return len(self.starts)

    def key(self, i: int) -> bytes:
        """Return the bytes of key ``i``."""
        lo = int(self.starts[i])
        return self.buf[lo : lo + int(self.lengths[i])].tobytes()


def hash_keys(buf: Bytes, starts: I64, lengths: I64, bits: int = 64) -> U64:
    """Return a 64-bit hash of each key (the low ``bits`` kept), in one pass per 8-byte word."""
    h = (lengths.astype(np.uint64) + _P2) * _P1
    words = _words(buf)
    for k in range(-(-min(int(lengths.max(initial=0)), LONG) // 8)):
        longer = lengths > 8 * k  # word k belongs to keys longer than 8k bytes only
        if longer.all():
            mixed = (h ^ _word(words, starts, lengths, k)) * _P1
            h = mixed ^ (mixed >> np.uint64(32))
        else:
            rows = np.flatnonzero(longer)
            mixed = (h[rows] ^ _word(words, starts[rows], lengths[rows], k)) * _P1
            h[rows] = mixed ^ (mixed >> np.uint64(32))
    h ^= h >> np.uint64(30)
    h *= _P2
    h ^= h >> np.uint64(27)
    h *= _P3
    h ^= h >> np.uint64(31)
    for i in np.flatnonzero(lengths > LONG).tolist():  # their words above were mixed in, then replaced
        lo = int(starts[i])
        digest = hashlib.blake2b(buf[lo : lo + int(lengths[i])].tobytes(), digest_size=8).digest()
        h[i] = np.uint64(int.from_bytes(digest, "little"))
    if bits < 64:
        h &= np.uint64((1 << bits) - 1)
    return h


def first_seen(values: U64) -> Bools:
    """Return, per element, whether no earlier element holds the same value (a claim table, no sort)."""
    n = len(values)
    bits = max(4, (4 * n).bit_length())
    size = 1 << bits
    claims = np.full(size, n, dtype=np.int64)  # n: empty (every index claims below it)
    pos = ((values * _P1) >> np.uint64(64 - bits)).astype(np.int64)
    repeat = np.zeros(n, dtype=np.bool_)
    todo = np.arange(n)
    while len(todo):
        at = pos[todo]
        free = claims[at] == n
        np.minimum.at(claims, at[free], todo[free])
        owner = claims[at]
        same = (owner != todo) & (values[owner] == values[todo])
        repeat[todo[same]] = True
        todo = todo[(owner != todo) & ~same]
        pos[todo] = (pos[todo] + 1) & (size - 1)
    first: Bools = ~repeat
    return first


class KeyTable(Mapping[str, KeyMemory]):
    """Every idempotency key seen, with its first answer; reads like a ``dict`` of :data:`KeyMemory`.

    Parameters
    ----------
    hash_bits
        Bits of the 64-bit hash the table keeps (default :data:`HASH_BITS`). Fewer bits only make
        hash collisions common (tests use this); answers stay exact, because every hash match is
        checked against the stored key bytes.
    """

    def __init__(self, hash_bits: int | None = None) -> None:
        self.hash_bits = HASH_BITS if hash_bits is None else hash_bits
        self.cols: dict[str, I64] = {name: np.zeros(1024, dtype=np.int64) for name in _ENTRY_COLUMNS}
        self.count = 0
        self.arena = np.zeros(1 << 16, dtype=np.uint8)
        self.arena_size = 0
        self.slot_bits = 10
        self.slots = np.full(1 << self.slot_bits, _EMPTY, dtype=np.int64)
        self._recent: tuple[KeyBatch, I64] | None = None
        self._recent_index: dict[str, KeyMemory] | None = None

    # ------------------------------------------------------------------ the vector interface
    def hashes(self, keys: KeyBatch) -> U64:
        """Return the hashes of a batch, as this table computes them."""
        return hash_keys(keys.buf, keys.starts, keys.lengths, self.hash_bits)

    def col(self, name: str) -> I64:
        """Return one entry column (``hash``, ``number``, ``amount``, ``code``, ``payment``, ``lo``, ``length``)."""
        return self.cols[name][: self.count]

    def find(self, keys: KeyBatch, hashes: U64) -> I64:
        """Return the entry of each key, or -1 where the key is new (linear probing, bytes verified)."""
        return self.probe(keys, hashes)[0]

    def probe(self, keys: KeyBatch, hashes: U64) -> tuple[I64, I64]:
        """Return per key its entry (-1: new) and, for a new key, the empty slot its probe ended on.

        A slot holds ``tag << 32 | entry`` (tag: the hash's top 31 bits), so most slots of other
        keys are passed over without reading the entry's hash; a tag match is checked against the
        full hash, then the bytes.
        """
        n = len(hashes)
        found = np.full(n, -1, dtype=np.int64)
        pos = self._home(hashes)
        if self.count == 0 or n == 0:
            return found, pos
        stored, tags = self.cols["hash"].view(np.uint64), _tags(hashes)
        todo = np.arange(n)
        mask = (1 << self.slot_bits) - 1
        while len(todo):
            slot = self.slots[pos[todo]]
            todo, slot = todo[slot >= 0], slot[slot >= 0]
            match = np.flatnonzero((slot >> 32) == tags[todo])
            if len(match):
                entry = slot[match] & 0xFFFFFFFF
                same = stored[entry] == hashes[todo[match]]
                same[same] = self._same_bytes(keys, todo[match][same], entry[same])
                found[todo[match][same]] = entry[same]
                todo = np.delete(todo, match[same])
            pos[todo] = (pos[todo] + 1) & mask
        return found, pos

    def add(self, keys: KeyBatch, hashes: U64, rows: I64, memory: dict[str, I64], start: I64 | None = None) -> I64:
        """Add the keys ``rows`` of the batch (new and distinct) with their answers; return their entries.

        ``memory`` holds ``number``, ``amount``, ``code`` (and optionally ``payment``) per added key;
        ``start``, where the probe of :meth:`probe` ended for each (slots before it are taken).
        """
        k = len(rows)
        entries = np.arange(self.count, self.count + k, dtype=np.int64)
        if k == 0:
            return entries
        lo = self._store_bytes(keys, rows)
        values = {
            "hash": hashes[rows].view(np.int64),
            "lo": lo,
            "length": keys.lengths[rows],
            "payment": memory.get("payment", np.zeros(k, dtype=np.int64)),
        }
        for name in MEMORY_COLUMNS[:3]:
            values[name] = memory[name]
        self._append(values, k)
        if 2 * self.count > len(self.slots):
            self._rehash()
        else:
            self._place(entries, start)
        return entries

    def remember(self, keys: KeyBatch, entries: I64) -> None:
        """Note the last batch's keys and their entries: ``table[key]`` on them then costs a dict look-up."""
        self._recent, self._recent_index = (keys, entries), None

    def set_payments(self, entries: I64, payments: I64) -> None:
        """Remember the payment number each of ``entries`` captured."""
        self.cols["payment"][entries] = payments
        self._recent_index = None

    def memory(self, entries: I64) -> npt.NDArray[np.int64]:
        """Return the :data:`KeyMemory` of ``entries`` as rows of an ``(n, 4)`` array."""
        return np.stack([self.col(name)[entries] for name in MEMORY_COLUMNS], axis=1)

    def key_bytes(self, entry: int) -> bytes:
        """Return the stored bytes of one entry's key."""
        lo = int(self.cols["lo"][entry])
        return self.arena[lo : lo + int(self.cols["length"][entry])].tobytes()

    @classmethod
    def from_memory(cls, keys: Sequence[str], memory: npt.NDArray[np.int64], hash_bits: int | None = None) -> KeyTable:
        """Rebuild a table from its keys and their :data:`KeyMemory` rows, in entry order (a snapshot)."""
        table = cls(hash_bits)
        batch, _, _ = KeyBatch.from_strings(keys)
        rows = np.arange(len(keys), dtype=np.int64)
        table.add(batch, table.hashes(batch), rows, {n: memory[:, i].copy() for i, n in enumerate(MEMORY_COLUMNS)})
        return table

    # ------------------------------------------------------------------ Mapping (reads, tests, snapshots)
    def __getitem__(self, key: str) -> KeyMemory:
        recent = self._recent_memory(key)
        if recent is not None:
            return recent
        batch, _, _ = KeyBatch.from_strings([key])
        entry = int(self.find(batch, self.hashes(batch))[0])
        if entry < 0:
            raise KeyError(key)
        cols = self.cols
        return (
            int(cols["number"][entry]),
            int(cols["amount"][entry]),
            int(cols["code"][entry]),
            int(cols["payment"][entry]),
        )

    def __iter__(self) -> Iterator[str]:
        return (self.key_bytes(e).decode("utf-8", "surrogatepass") for e in range(self.count))

    def __len__(self) -> int:
        return self.count

    # ------------------------------------------------------------------ internals
    def _recent_memory(self, key: str) -> KeyMemory | None:
        """Answer ``table[key]`` for a key of the last batch from a dict built once per batch."""
        if self._recent is None:
            return None
        if self._recent_index is None:
            keys, entries = self._recent
            size = len(keys.buf) - _PAD
            names = keys.buf[:size].tobytes().decode("utf-8", "surrogatepass").split("\x00") if len(keys) else []
            if len(names) != len(keys):  # a key holds a NUL
                names = [keys.key(i).decode("utf-8", "surrogatepass") for i in range(len(keys))]
            rows = zip(*(self.cols[name][entries].tolist() for name in MEMORY_COLUMNS), strict=True)
            self._recent_index = dict(zip(names, rows, strict=True))
        return self._recent_index.get(key)

    def _home(self, hashes: U64) -> I64:
        home: I64 = ((hashes * _P1) >> np.uint64(64 - self.slot_bits)).astype(np.int64)
        return home

    def _same_bytes(self, keys: KeyBatch, rows: I64, entries: I64) -> Bools:
        """Return whether key ``rows[i]`` of the batch has exactly the bytes of entry ``entries[i]``."""
        lengths = keys.lengths[rows]
        same: Bools = lengths == self.cols["length"][entries]
        short = np.flatnonzero(same & (lengths <= LONG))
        mine, theirs = _words(keys.buf), _words(self.arena)
        starts, los = keys.starts[rows], self.cols["lo"][entries]
        for k in range(-(-int(lengths[short].max(initial=0)) // 8)):
            short = short[lengths[short] > 8 * k]
            size = lengths[short]
            differ = _word(mine, starts[short], size, k) != _word(theirs, los[short], size, k)
            same[short[differ]] = False
        for i in np.flatnonzero(same & (lengths > LONG)).tolist():
            same[i] = keys.key(int(rows[i])) == self.key_bytes(int(entries[i]))
        return same

    def _store_bytes(self, keys: KeyBatch, rows: I64) -> I64:
        """Copy the keys ``rows`` into the arena; return where each starts.

        When they are most of the batch, the batch's whole buffer is copied in one piece (the
        other keys' bytes ride along unused: at most as many bytes as the keys stored).
        """
        lengths, starts = keys.lengths[rows], keys.starts[rows]
        if 2 * len(rows) >= len(keys):
            size = len(keys.buf) - _PAD
            self._reserve_arena(size)
            base = self.arena_size
            self.arena[base : base + size] = keys.buf[:size]
            self.arena_size += size
            whole: I64 = base + starts
            return whole
        total = int(lengths.sum())
        self._reserve_arena(total)
        offsets = np.cumsum(lengths) - lengths
        picked = np.repeat(starts - offsets, lengths) + np.arange(total)
        base = self.arena_size
        self.arena[base : base + total] = keys.buf[picked]
        self.arena_size += total
        lo: I64 = base + offsets
        return lo

    def _reserve_arena(self, extra: int) -> None:
        need = self.arena_size + extra + _PAD
        if need > len(self.arena):
            grown = np.zeros(max(need, 2 * len(self.arena)), dtype=np.uint8)
            grown[: self.arena_size] = self.arena[: self.arena_size]
            self.arena = grown

    def _append(self, values: dict[str, I64], k: int) -> None:
        end = self.count + k
        for name in _ENTRY_COLUMNS:
            column = self.cols[name]
            if end > len(column):
                grown = np.zeros(max(end, 2 * len(column)), dtype=np.int64)
                grown[: self.count] = column[: self.count]
                column = self.cols[name] = grown
            column[self.count : end] = values[name]
        self.count = end

    def _rehash(self) -> None:
        while 4 * self.count > (1 << self.slot_bits):
            self.slot_bits += 1
        self.slots = np.full(1 << self.slot_bits, _EMPTY, dtype=np.int64)
        self._place(np.arange(self.count, dtype=np.int64))

    def _place(self, entries: I64, start: I64 | None = None) -> None:
        """Put ``entries`` in free slots, probing on from ``start`` (default: each home).

        Of several entries contesting one slot, any may win it (lookups probe on past every other
        key), so a plain scatter decides and a read-back tells the winners.
        """
        mask = (1 << self.slot_bits) - 1
        hashes = self.cols["hash"][entries].view(np.uint64)
        pos = self._home(hashes) if start is None else start.copy()
        values = (_tags(hashes) << 32) | entries
        todo = np.arange(len(entries))
        while len(todo):
            at = pos[todo]
            free = self.slots[at] == _EMPTY
            self.slots[at[free]] = values[todo[free]]
            todo = todo[self.slots[at] != values[todo]]
            pos[todo] = (pos[todo] + 1) & mask


def _tags(hashes: U64) -> I64:
    """Return the top 31 bits of each hash (what a slot keeps beside the entry)."""
    tags: I64 = (hashes >> np.uint64(33)).astype(np.int64)
    return tags


_ENTRY_COLUMNS = ("hash", "number", "amount", "code", "payment", "lo", "length")
