#!/usr/bin/env python3
"""Converts the measured kernel tables of aiconfigurator-core 0.12.0 (Apache-2.0, NVIDIA) into the
compact CSV files under Clusters/kernels/<chip>/ that Sources/CostModel/KernelTables*.swift reads.

Run it through scripts/kernel-tables.sh, which pins the package and its readers in a throw-away
venv. Only the kernel tables (gemm, attention, comm, moe) are read, never the end-to-end serving
samples. The output is deterministic: stable ordering, 4 significant digits, no timestamps.

    kernel-tables.py OUT_DIR   # writes OUT_DIR/<chip>/*.csv and PROVENANCE.md, prints the checks
"""
import functools
import math
import os
import sys

import aiconfigurator_core
import pandas as pd
from packaging.version import Version

PACKAGE = "aiconfigurator-core"
PACKAGE_VERSION = "0.12.0"
DATA = os.path.join(os.path.dirname(aiconfigurator_core.__file__), "systems", "data")

# aiconfigurator system name -> Tessera chip folder.
CHIPS = [("h100_sxm", "h100-sxm"), ("h200_sxm", "h200-sxm"), ("b200_sxm", "b200"),
         ("gb200", "gb200"), ("a100_sxm", "a100-sxm")]
FRAMEWORKS = ["trtllm", "vllm", "sglang"]  # preference order when a system lacks trtllm for an op

# Source dtype -> Tessera DType name. fp8 is per-tensor FP8 (fp8_block, the DeepSeek-style
# 128-block scaled FP8, is left out while per-tensor fp8 exists); nvfp4 is FP4 with FP8 block
# scales; sq is SmoothQuant W8A8 INT8 (A100). Weight-only int8_wo / int4_wo are left out: their
# activations are bf16, which Tessera's single GEMM dtype cannot name.
GEMM_DTYPES = {"bfloat16": "bf16", "float16": "fp16", "fp8": "fp8", "nvfp4": "fp4", "sq": "int8"}
ATTN_DTYPES = {"bfloat16": "bf16", "float16": "fp16", "fp8": "fp8"}
# NCCL "half" is ncclHalf (IEEE fp16); the custom all-reduce names its dtype itself.
COMM_DTYPES = {"half": ("fp16", 2), "bfloat16": ("bf16", 2), "float16": ("fp16", 2), "int8": ("int8", 1)}
COMM_KINDS = {"all_reduce": "all_reduce", "all_gather": "all_gather",
              "reduce_scatter": "reduce_scatter", "alltoall": "all_to_all"}

GEMM_NK_MIN = 128  # n and k below 128 are left out (the reader returns nil there)
HEAD_SIZES = {128}


def fmt(x):
    """4 significant digits, never an exponent (so every reader parses it the same way)."""
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"latency {x} is not a positive finite number")
    digits = max(0, 3 - math.floor(math.log10(x)))
    text = f"{float(f'{x:.4g}'):.{digits}f}"
    return text


def newest(system, op, filename, frameworks=FRAMEWORKS):
    """(framework, version, path) of the newest version of the first framework that has the file."""
    for fw in frameworks:
        root = os.path.join(DATA, system, op, fw)
        if not os.path.isdir(root):
            continue
        versions = [v for v in os.listdir(root) if os.path.isfile(os.path.join(root, v, filename))]
        if versions:
            v = max(versions, key=Version)
            return fw, v, os.path.join(root, v, filename)
    raise SystemExit(f"{system}: no {op}/{filename} in any of {frameworks}")


def rel(path):
    return "aiconfigurator_core/systems/data/" + os.path.relpath(path, DATA)


def m_axis(values):
    """Powers of two, plus 1.5 x powers of two, as present."""
    keep = []
    for m in values:
        p = m & (m - 1) == 0
        q = m % 3 == 0 and (m // 3) & (m // 3 - 1) == 0 and m >= 3
        if p or q:
            keep.append(m)
    return sorted(keep)


def full_grid(df, axes):
    """Drops axis values, the one with most holes first (ties: not the first axis, then the
    largest value), until df[axes] is a full grid. Returns (frame, dropped [(axis, value)])."""
    dropped = []
    while True:
        holes = {}
        full = pd.MultiIndex.from_product([sorted(df[a].unique()) for a in axes], names=axes)
        for t in full.difference(pd.MultiIndex.from_frame(df[axes])):
            for a, v in zip(axes, t):
                holes[(a, v)] = holes.get((a, v), 0) + 1
        if not holes:
            return df, dropped
        (a, v), _ = max(holes.items(), key=lambda kv: (kv[1], kv[0][0] != axes[0], kv[0][1]))
        df = df[df[a] != v]
        dropped.append((a, int(v)))


def fill_along(df, axis, others, value, group):
    """Completes each group's grid over axis x others: a hole at (a, o) takes the measured value at
    the nearest (in log) measured a' with the same o, scaled by a / a' (work is linear in `axis`).
    Returns (frame, filled count)."""
    out, filled = [], 0
    for key, g in df.groupby(group, sort=True):
        a_levels = sorted(g[axis].unique())
        o_levels = sorted(g[others].unique())
        table = {(r[axis], r[others]): r[value] for r in g[[axis, others, value]].to_dict("records")}
        rows = []
        for o in o_levels:
            measured = [a for a in a_levels if (a, o) in table]
            for a in a_levels:
                if (a, o) in table:
                    v = table[(a, o)]
                else:
                    near = min(measured, key=lambda x: (abs(math.log(x / a)), x))
                    v = table[(near, o)] * a / near
                    filled += 1
                rows.append({**dict(zip(group, key if isinstance(key, tuple) else (key,))), axis: a, others: o, value: v})
        out.append(pd.DataFrame(rows))
    return pd.concat(out, ignore_index=True), filled


def write_csv(path, header, rows):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def gemm(system, out, notes):
    fw, ver, path = newest(system, "gemm", "gemm_perf.parquet")
    df = pd.read_parquet(path, columns=["gemm_dtype", "m", "n", "k", "latency"])
    present = sorted(df.gemm_dtype.unique())
    df = df[df.gemm_dtype.isin(GEMM_DTYPES)].copy()
    df["dtype"] = df.gemm_dtype.map(GEMM_DTYPES)
    df = df[(df.n >= GEMM_NK_MIN) & (df.k >= GEMM_NK_MIN)]
    df = df[df.m.isin(m_axis(df.m.unique()))]
    parts, dropped = [], {}
    for d, g in df.groupby("dtype", sort=True):
        g, dropped[d] = full_grid(g, ["m", "n", "k"])
        parts.append(g)
    df = pd.concat(parts).sort_values(["dtype", "m", "n", "k"])
    rows = [(d, str(m), str(n), str(k), fmt(l * 1000)) for d, m, n, k, l in
            df[["dtype", "m", "n", "k", "latency"]].itertuples(index=False)]
    write_csv(os.path.join(out, "gemm.csv"), ["dtype", "m", "n", "k", "latency_us"], rows)
    axes = {d: tuple(sorted(g[a].unique().tolist()) for a in "mnk") for d, g in df.groupby("dtype")}
    notes.append(("gemm.csv", fw, ver, rel(path), present, dropped, 0, axes, len(rows)))
    return df


def attention(system, out, notes, kind):
    filename = f"{kind}_attention_perf.parquet"
    fw, ver, path = newest(system, "attention", filename)
    df = pd.read_parquet(path)
    df = df[(df.window_size == 0) & (df.beam_width == 1) & df.head_dim.isin(HEAD_SIZES)]
    df = df[df.attn_dtype.isin(ATTN_DTYPES) & df.kv_cache_dtype.isin(ATTN_DTYPES)].copy()
    df["dtype"] = df.attn_dtype.map(ATTN_DTYPES)
    df["kv_dtype"] = df.kv_cache_dtype.map(ATTN_DTYPES)
    if kind == "context":
        df["length"] = df.isl
        group = ["dtype", "kv_dtype", "num_heads", "num_key_value_heads", "head_dim"]
    else:
        # Decode step `step` after a prompt of `isl` tokens attends over isl + step cached tokens.
        df["length"] = df.isl + df.step
        group = ["kv_dtype", "num_heads", "num_key_value_heads", "head_dim"]
    dup = df.duplicated(group + ["batch_size", "length"]).sum()
    if dup:
        raise SystemExit(f"{path}: {dup} duplicate rows")
    df, filled = fill_along(df, "batch_size", "length", "latency", group)
    df = df.sort_values(group + ["batch_size", "length"])
    cols = group + ["batch_size", "length", "latency"]
    rows = [tuple(str(x) for x in r[:-1]) + (fmt(r[-1] * 1000),) for r in df[cols].itertuples(index=False)]
    if kind == "context":
        header = ["dtype", "kv_dtype", "batch", "input_len", "heads", "kv_heads", "head_size", "latency_us"]
        rows = [(r[0], r[1], r[5], r[6], r[2], r[3], r[4], r[7]) for r in rows]
    else:
        header = ["kv_dtype", "batch", "context", "heads", "kv_heads", "head_size", "latency_us"]
        rows = [(r[0], r[4], r[5], r[1], r[2], r[3], r[6]) for r in rows]
    name = f"{kind}_attention.csv"
    write_csv(os.path.join(out, name), header, rows)
    axes = (sorted(df.batch_size.unique().tolist()), sorted(df.length.unique().tolist()),
            df.groupby(group).ngroups)
    notes.append((name, fw, ver, rel(path), None, [], filled, axes, len(rows)))
    return df


# Fused MoE (routing, quantisation, permute, grouped gate/up and down GEMMs, finalize) as TensorRT-LLM
# runs it for gated experts: `moe_torch_flow_cutlass` in 1.3, `moe_torch_flow` before. The token
# load is aiconfigurator's own choice for its MoE models (power law, alpha 1.2: some experts get
# more tokens than others). Kept: MoE TP x EP within one 8-GPU node, or pure EP.
MOE_DTYPES = {"bfloat16": "bf16", "fp8": "fp8", "nvfp4": "fp4"}
MOE_SOURCES = ["moe_torch_flow_cutlass", "moe_torch_flow"]
MOE_DISTRIBUTION = "power_law_1.2"


# A power-law load is one random routing draw per system: its ratio to the same system's balanced
# load is a property of the draw, not of the chip (from 32 tokens up, GB200's draw for Qwen3-30B's
# shape is 0.61-0.99x balanced where B200, B300 and GB300 measure 0.89-1.20x, while GB200's and
# B200's balanced and min-latency cells agree within 7%). So each power-law latency is the system's own balanced latency times
# the median power-law/balanced ratio of the systems of its generation that measured the shape.
MOE_POOLS = [["b200_sxm", "gb200", "b300_sxm", "gb300"], ["h100_sxm", "h200_sxm"], ["a100_sxm"]]
MOE_KEY = ["moe_dtype", "hidden_size", "inter_size", "topk", "num_experts", "moe_tp_size", "moe_ep_size", "num_tokens"]


@functools.cache  # each chip's pool reads its peers' tables again
def moe_table(system):
    """(path, version, dtypes present, rows by MOE_KEY + distribution) of a system's fused MoE table."""
    root = os.path.join(DATA, system, "moe", "trtllm")
    # The version with the most rows: the newest ones re-measure only a few shapes.
    paths = [os.path.join(root, v, "moe_perf.parquet") for v in sorted(os.listdir(root), key=Version)]
    paths = [p for p in paths if os.path.isfile(p)]
    sizes = [len(pd.read_parquet(p, columns=["latency"])) for p in paths]
    path = paths[max(range(len(paths)), key=lambda i: (sizes[i], i))]
    df = pd.read_parquet(path)
    present = sorted(df.moe_dtype.unique())
    df = df[df.moe_dtype.isin(MOE_DTYPES) & df.distribution.isin([MOE_DISTRIBUTION, "balanced"])
            & df.kernel_source.isin(MOE_SOURCES)].copy()
    df = df[(df.moe_tp_size * df.moe_ep_size <= 8) | (df.moe_tp_size == 1)]
    # Where both sources measured a shape, the newer kernel (first in MOE_SOURCES) wins.
    df["rank"] = df.kernel_source.map(MOE_SOURCES.index)
    df = df.sort_values(MOE_KEY + ["distribution", "rank"]).drop_duplicates(MOE_KEY + ["distribution"], keep="first")
    return path, os.path.basename(os.path.dirname(path)), present, df


@functools.cache
def moe_ratios(system):
    """Power-law over balanced latency per MOE_KEY, where the system measured both."""
    df = moe_table(system)[3].pivot(index=MOE_KEY, columns="distribution", values="latency")
    if "balanced" not in df or MOE_DISTRIBUTION not in df:
        return pd.Series(dtype=float)
    return (df[MOE_DISTRIBUTION] / df["balanced"]).dropna()


def moe(system, out, notes):
    path, ver, present, df = moe_table(system)
    pool = next(p for p in MOE_POOLS if system in p)
    ratio = pd.concat([moe_ratios(s) for s in pool if os.path.isdir(os.path.join(DATA, s, "moe", "trtllm"))],
                      axis=1).median(axis=1)
    wide = df.pivot(index=MOE_KEY, columns="distribution", values="latency")
    loads = wide[MOE_DISTRIBUTION].dropna()
    pooled = (wide["balanced"] * ratio).reindex(loads.index) if "balanced" in wide else loads * float("nan")
    df = pd.DataFrame({"latency": pooled.fillna(loads), "pooled": pooled.notna()}).reset_index()
    df = df[df.num_tokens.isin(m_axis(df.num_tokens.unique()))]
    df["dtype"] = df.moe_dtype.map(MOE_DTYPES)
    cols = ["dtype", "hidden_size", "inter_size", "topk", "num_experts", "moe_tp_size", "moe_ep_size", "num_tokens"]
    df = df.sort_values(cols)
    rows = [tuple(str(x) for x in r[:-1]) + (fmt(r[-1] * 1000),) for r in df[cols + ["latency"]].itertuples(index=False)]
    write_csv(os.path.join(out, "moe.csv"),
              ["dtype", "hidden", "inter", "topk", "experts", "tp", "ep", "tokens", "latency_us"], rows)
    shapes = sorted(set(zip(df.hidden_size, df.inter_size, df.topk, df.num_experts)))
    notes.append(("moe.csv", "trtllm", ver, rel(path), present, pool, int(df.pooled.sum()),
                  (shapes, sorted(df.num_tokens.unique().tolist()), sorted(df.dtype.unique().tolist())), len(rows)))
    return df


def collectives(system, out, notes):
    frames, sources = [], []
    fw, ver, path = newest(system, "comm", "custom_allreduce_perf.parquet")
    c = pd.read_parquet(path)
    c = c.rename(columns={"allreduce_dtype": "src_dtype"})
    c["implementation"] = fw + "_custom"
    frames.append(c)
    sources.append((fw, ver, rel(path)))
    fw2, ver2, path2 = newest(system, "comm", "nccl_perf.parquet", ["nccl"])
    n = pd.read_parquet(path2).rename(columns={"nccl_dtype": "src_dtype"})
    n["implementation"] = "nccl"
    frames.append(n)
    sources.append((fw2, ver2, rel(path2)))
    df = pd.concat(frames, ignore_index=True)
    df = df[df.op_name.isin(COMM_KINDS) & df.src_dtype.isin(COMM_DTYPES)].copy()
    df["kind"] = df.op_name.map(COMM_KINDS)
    df["dtype"] = df.src_dtype.map(lambda d: COMM_DTYPES[d][0])
    df["message_bytes"] = df.message_size * df.src_dtype.map(lambda d: COMM_DTYPES[d][1])
    key = ["kind", "implementation", "dtype", "num_gpus", "message_bytes"]
    if df.duplicated(key).sum():
        raise SystemExit(f"{system}: duplicate collective rows")
    df = df.sort_values(key)
    rows = [(k, i, d, str(r), str(b), fmt(l * 1000)) for k, i, d, r, b, l in
            df[key + ["latency"]].itertuples(index=False)]
    write_csv(os.path.join(out, "collectives.csv"),
              ["kind", "implementation", "dtype", "ranks", "message_bytes", "latency_us"], rows)
    summary = df.groupby(["kind", "implementation", "dtype"]).num_gpus.unique().map(lambda v: sorted(v.tolist()))
    notes.append(("collectives.csv", sources, None, None, summary.to_dict(), [], 0, None, len(rows)))
    return df


def orientation(chip, g, gen, comm):
    """Figures to compare with calibration.md section C, the shared reference (printed and put in PROVENANCE)."""
    lines = []
    peaks = {"h100-sxm": 989.4, "h200-sxm": 989.4, "b200": 2250.0, "gb200": 2500.0, "a100-sxm": 312.0}
    mult = {"bf16": 1, "fp16": 1, "fp8": 2, "int8": 2, "fp4": 4}
    for d in sorted(g.dtype.unique()):
        for m in (1, 256, 4096):
            r = g[(g.dtype == d) & (g.m == m) & (g.n == 8192) & (g.k == 16384)]
            if len(r) != 1:
                continue
            s = r.latency.iloc[0] / 1000
            eff = 2 * m * 8192 * 16384 / s / 1e12 / (peaks[chip] * mult[d])
            wbytes = 8192 * 16384 * {"bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "fp4": 0.5625}[d]
            lines.append(f"GEMM {d} m {m} n 8192 k 16384: {s * 1e6:.1f} us, {eff:.2f} of dense peak "
                         f"({peaks[chip] * mult[d]:.0f} TFLOPS), weights at {wbytes / s / 1e12:.2f} TB/s")
    for b, c in ((64, 4096), (1, 1024)):
        r = gen[(gen.kv_dtype == "fp8") & (gen.num_heads == 64) & (gen.num_key_value_heads == 8)
                & (gen.batch_size == b) & (gen.length == c)]
        if len(r) == 1:
            s = r.latency.iloc[0] / 1000
            kv = b * c * 8 * 128 * 2 * 1  # K and V, fp8
            lines.append(f"decode attention 64/8 heads fp8 KV batch {b} context {c}: {s * 1e6:.1f} us, "
                         f"KV read at {kv / s / 1e12:.2f} TB/s")
    for elems in (16384, 4194304):
        r = comm[(comm.kind == "all_reduce") & (comm.num_gpus == 8) & (comm.message_bytes == 2 * elems)
                 & (comm.dtype != "int8")]
        for i, l in zip(r.implementation, r.latency):
            lines.append(f"all-reduce 8 ranks {elems} half elements ({2 * elems} bytes) {i}: {l * 1000:.1f} us")
    return lines


def provenance(chip, system, notes, checks):
    out = [f"# {chip}: measured kernel tables", "",
           f"Converted by `scripts/kernel-tables.sh` from the PyPI package `{PACKAGE}=={PACKAGE_VERSION}`",
           f"(Apache-2.0, NVIDIA; see ../NOTICE), system `{system}`. Only its kernel tables are used,",
           "never its end-to-end serving samples. Source latencies are milliseconds (checked: a bf16",
           "GEMM 4353 x 65536 x 51200 is listed as 41.1, i.e. 712 TFLOPS if read as ms); they are",
           "written as microseconds with 4 significant digits.", ""]
    for name, fw, ver, path, extra, dropped, filled, axes, nrows in notes:
        out.append(f"## {name} ({nrows} rows)")
        out.append("")
        if name == "gemm.csv":
            out.append(f"- source: `{path}` (framework `{fw}` {ver}), columns `gemm_dtype, m, n, k, latency`")
            out.append(f"- dtypes present: {', '.join(extra)}; written: " +
                       ", ".join(f"{s} -> {t}" for s, t in GEMM_DTYPES.items() if s in extra))
            out.append("- fp8 is per-tensor FP8; fp8_block and weight-only int8_wo / int4_wo are left out; "
                       "nvfp4 (FP4 with block scales) is written as fp4; sq (SmoothQuant W8A8) as int8")
            out.append(f"- sampling: m = powers of two and 1.5 x powers of two as present; n, k >= {GEMM_NK_MIN} as present")
            for d, (ms, ns, ks) in axes.items():
                out.append(f"- {d}: m {ms}; n {ns}; k {ks}")
            for d, drops in dropped.items():
                out.append(f"- {d} holes: axis values dropped (most holes first) until the grid is full: " +
                           (", ".join(f"{a} {v}" for a, v in drops) if drops else "none"))
        elif name == "moe.csv":
            out.append(f"- source: `{path}` (framework `{fw}` {ver}, the version with the most rows), columns "
                       "`kernel_source, moe_dtype, num_tokens, hidden_size, inter_size, topk, num_experts, "
                       "moe_tp_size, moe_ep_size, distribution, latency`")
            out.append(f"- dtypes present: {', '.join(extra)}; written: " +
                       ", ".join(f"{s} -> {t}" for s, t in MOE_DTYPES.items() if s in extra))
            out.append(f"- kernel_source {MOE_SOURCES} (gated experts; the first wins where both measured a shape), "
                       f"distribution `{MOE_DISTRIBUTION}` (aiconfigurator's token load for its MoE models)")
            out.append("- kept: moe_tp x moe_ep <= 8, or moe_tp 1; tokens = powers of two and 1.5 x powers of two "
                       "(tokens entering the MoE across the EP group, before routing)")
            pool, pooled = dropped, filled  # the moe note carries the pool and the pooled count there
            out.append(f"- {pooled} of the {nrows} latencies are the system's balanced latency times the median "
                       f"`{MOE_DISTRIBUTION}`/`balanced` ratio of {', '.join(f'`{s}`' for s in pool)} for the same row "
                       "(one routing draw per system; see MOE_POOLS in scripts/kernel-tables.py); the rest are as measured")
            out.append(f"- shapes (hidden, inter, topk, experts): {axes[0]}")
            out.append(f"- tokens {axes[1]}; dtypes {axes[2]}")
        elif name == "collectives.csv":
            for fw, ver, path in fw:
                out.append(f"- source: `{path}` (`{fw}` {ver})")
            out.append("- columns used: `op_name, <dtype>, num_gpus, message_size, latency` (+ `implementation`); "
                       "`message_size` counts elements, so message_bytes = elements x bytes per element "
                       "(half/bfloat16 2, int8 1); NCCL `half` is fp16; `alltoall` is written as all_to_all")
            out.append("- implementation `trtllm_custom` is TensorRT-LLM's custom all-reduce; `nccl` is NCCL")
            for (k, i, d), ranks in sorted(extra.items()):
                out.append(f"- {k} {i} {d}: ranks {ranks}")
        else:
            ctx = name.startswith("context")
            out.append(f"- source: `{path}` (framework `{fw}` {ver})")
            if ctx:
                out.append("- columns used: `attn_dtype, kv_cache_dtype, batch_size, isl, num_heads, num_key_value_heads, "
                           "head_dim, latency`; rows with window_size 0 (full attention), beam_width 1")
            else:
                out.append("- columns used: `kv_cache_dtype, batch_size, isl, step, num_heads, num_key_value_heads, "
                           "head_dim, latency`; context = isl + step (every row has isl 1); window_size 0, beam_width 1; "
                           "the query is bf16 in every row")
            out.append(f"- head_size {sorted(HEAD_SIZES)}; every head configuration present is kept ({axes[2]} groups)")
            out.append(f"- grid: batch {axes[0]} x {'input_len' if ctx else 'context'} {axes[1]}")
            out.append(f"- holes: {filled} cells (large batch x long sequence, not measured) are filled from the "
                       "nearest measured batch at the same length, scaled linearly in batch (the work is linear in batch); "
                       "these cells are extrapolations, not measurements")
        out.append("")
    out.append("## Orientation check against calibration.md section C (the shared reference of measured results)")
    out.append("")
    out.append("Computed by `kernel-tables.py` from the tables before rounding. Dense peaks assumed: H100/H200 989.4, "
               "B200 2250, GB200 2500, A100 312 BF16 TFLOPS; FP8/INT8 2x, FP4 4x. Weight bytes: fp4 counts 1 FP8 "
               "scale per 16 values.")
    out.append("")
    out.extend(f"- {c}" for c in checks)
    out.append("")
    return "\n".join(out)


def main():
    out_root = sys.argv[1]
    for system, chip in CHIPS:
        out = os.path.join(out_root, chip)
        os.makedirs(out, exist_ok=True)
        notes = []
        g = gemm(system, out, notes)
        attention(system, out, notes, "context")
        gen = attention(system, out, notes, "generation")
        comm = collectives(system, out, notes)
        moe(system, out, notes)
        checks = orientation(chip, g, gen, comm)
        print(f"== {chip}")
        for c in checks:
            print("  " + c)
        with open(os.path.join(out, "PROVENANCE.md"), "w", newline="\n") as f:
            f.write(provenance(chip, system, notes, checks))


if __name__ == "__main__":
    main()
