"""Numpy type aliases and the pyarrow helpers every stage formats with.

Random processes run on numpy arrays; strings, timestamps and decimals are only made
from them per written slice of `CHUNK` rows, with these helpers (no Python loop over
rows, no floats for money)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
Ints = npt.NDArray[np.integer[Any]]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

CHUNK = 1_000_000  # rows per formatted slice and parquet row group (below pyarrow's 1Mi default)


def prefixed_ids(prefix: str, numbers: npt.ArrayLike, width: int, null: Bool | None = None) -> pa.Array:
    """Ids as the contract writes them: the prefix and the number zero-padded to `width`."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64(), mask=null), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def timestamps(seconds: I64, null: Bool | None = None) -> pa.Array:
    """timestamp(us) from epoch seconds."""
    return pa.array(seconds * 1_000_000, type=pa.timestamp("us"), mask=null)


def decimals(units: I64, scale: int, null: Bool | None = None) -> pa.Array:
    """decimal128(18, scale) from integer units (cents for scale 2), without floats."""
    n = len(units)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63  # sign extension into the high word
    validity, nulls = None, 0
    if null is not None and null.any():
        validity, nulls = pa.py_buffer(np.packbits(~null, bitorder="little")), int(null.sum())
    return pa.Array.from_buffers(pa.decimal128(18, scale), n, [validity, pa.py_buffer(words)], null_count=nulls)


def pick(values: Sequence[str | None], codes: npt.ArrayLike, null: Bool | None = None) -> pa.Array:
    """values[code] per row as strings: codes stay small integers until a slice is written."""
    return pc.take(pa.array(values, pa.string()), pa.array(codes, type=pa.int32(), mask=null))


def assemble(codes: I8, pieces: dict[int, pa.Array], type_: pa.DataType) -> pa.Array:
    """Row i is the next unused value of pieces[codes[i]]; rows without a piece are null.

    One `take` over the concatenated pieces: cheaper than one replace per piece.
    """
    slot = np.full(len(codes), -1, np.int64)
    offset = 0
    for k in pieces:
        rows = np.flatnonzero(codes == k)
        slot[rows] = offset + np.arange(len(rows))
        offset += len(rows)
    values = pa.concat_arrays(list(pieces.values())) if pieces else pa.array([], type_)
    return values.take(pa.array(slot, mask=slot < 0))


def variants(base: pa.Array, codes: I8, forms: Sequence[Callable[[pa.Array], pa.Array] | None]) -> pa.Array:
    """Rewrite row i of `base` with forms[codes[i]] (None keeps it); code -1 is null."""
    pieces = {}
    for k, form in enumerate(forms):
        mask = codes == k
        if mask.any():
            kept = base.filter(pa.array(mask))
            pieces[k] = kept if form is None else form(kept)
    return assemble(codes, pieces, base.type)


def csv_strings(values: pa.Array) -> pa.Array:
    """Text as written to csv: timestamps to the second, decimals and dates in ISO form."""
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_timestamp(values.type):
        values = pc.cast(values, pa.timestamp("s"))
    return pc.cast(values, pa.string())
