"""Writing one raw table: base rows in slices with their patches applied, then the
re-delivered rows, as parquet (one row group per slice) or csv."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from stratify.devdata.generate.arrays import CHUNK, csv_strings
from stratify.devdata.generate.contract import Format, schema
from stratify.devdata.generate.dirt import Dirt, Patches
from stratify.devdata.generate.progress import Progress
from stratify.devdata.generate.tables import Builder


def _apply(t: pa.Table, patches: Patches, lo: int, hi: int) -> pa.Table:
    for col, (rows, values) in patches.items():
        i0, i1 = np.searchsorted(rows, [lo, hi])
        if i1 > i0:
            mask = np.zeros(hi - lo, bool)
            mask[rows[i0:i1] - lo] = True
            j = t.schema.get_field_index(col)
            column = pc.replace_with_mask(t.column(j).combine_chunks(), pa.array(mask), values.slice(i0, i1 - i0))
            t = t.set_column(j, col, column)
    return t


def write_table(out: Path, name: str, fmt: Format, build: Builder, n_base: int, dirt: Dirt,
                progress: Progress) -> int:
    """Write base rows (with patches), then the re-delivered rows; return rows written."""
    extra = dirt.extra_src
    total = n_base + len(extra)
    target = schema(name)
    text = pa.schema([(f.name, pa.string()) for f in target])
    task = progress.task(f"write {name}", total)
    writer: pq.ParquetWriter | pcsv.CSVWriter
    if fmt == "parquet":
        writer = pq.ParquetWriter(out / f"{name}.parquet", target, compression="zstd")
    else:
        writer = pcsv.CSVWriter(out / f"{name}.csv", text)
    # encoding a slice overlaps with formatting the next one (both release the GIL);
    # slices are still written one after the other, in order, one row group each
    with writer, ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        if total == 0:
            writer.write_table((target if fmt == "parquet" else text).empty_table())
        for src, patches in ((None, dirt.patches()), (extra, dirt.extra_patches())):
            n = n_base if src is None else len(src)
            for lo in range(0, n, CHUNK):
                hi = min(n, lo + CHUNK)
                t = build(np.arange(lo, hi) if src is None else src[lo:hi])
                if fmt == "csv":
                    t = pa.Table.from_arrays([csv_strings(c.combine_chunks()) for c in t.columns], schema=text)
                t = _apply(t, patches, lo, hi)
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, t)
                progress.advance(task, hi - lo)
        if pending is not None:
            pending.result()
    return total
