#!/usr/bin/env python3
"""Writes the ONNX fixtures of Tests/ONNXImportTests/Fixtures (tests never run Python).

Run in a throw-away venv:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install onnx==1.23.2 numpy
    /tmp/venv/bin/python scripts/make-onnx-fixtures.py

The graphs are built by hand with onnx.helper in the two shapes exporters produce for a
decoder (a plain PyTorch/`transformers` export, and ONNX Runtime's fused contrib ops); no torch needed.

- tiny-llama.onnx: Workloads/tiny-llama.json's shape (hidden 256, 8 heads, 4 KV heads, FFN 768,
  4 layers, vocab 4096) as `torch.onnx.export` writes a Llama: RMSNorm as Pow/ReduceMean/Sqrt,
  separate q/k/v MatMuls, Reshape/Transpose per head, rotary from Sin/Cos, repeat_kv, MatMul-Softmax-MatMul,
  SiLU as Sigmoid·x, lm_head MatMul.
- tiny-llama-contrib.onnx: the same model as ONNX Runtime GenAI's builder writes it:
  SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization, one packed QKV MatMul and
  com.microsoft GroupQueryAttention with rotary inside.
- tiny-llama-contrib-int4.onnx: tiny-llama-contrib with every layer MatMul as a 4-bit MatMulNBits.
- tiny-moe-contrib.onnx: Workloads/tiny-moe.json (8 experts of FFN 512, top 2) with a router
  MatMul and com.microsoft MoE.
- micro-dense.onnx: a micro model (hidden 32, 4 heads, 2 KV heads, FFN 64, 2 layers, vocab 64)
  with dense random weights (seed 0), so the dense tensor path is exercised too.
- micro-unsupported.onnx: micro-dense with Einsum for each score MatMul and one Hardmax.
- micro-gpt2.onnx: a GPT-2 of hidden 32, 4 heads, 2 layers, vocab 64, 128 positions (dense, seed 0),
  the shape of micro-gpt2.json beside it: LayerNormalization, packed QKV with biases split three
  ways, learned positions, tanh-GELU MLP, LM head tied to the token table.

The tiny ones are saved as large exports are, with their weights as external data (`location:
<name>.onnx.data`), and that zero-filled data file is then deleted: the .onnx keeps every tensor's
name, dtype and shape in a few kilobytes, and Tessera reads shapes, never weight values.
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ONNXImportTests" / "Fixtures"
OPSET = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]


class Graph:
    def __init__(self, dense_seed=None):
        self.nodes, self.inits = [], []
        self.rng = np.random.default_rng(dense_seed) if dense_seed is not None else None
        self.count = 0

    def op(self, op, inputs, name, outputs=1, domain=None, **attrs):
        outs = [f"{name}_output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain, **attrs))
        return outs[0] if outputs == 1 else outs

    def weight(self, name, dims):
        """A float weight: random in the micro models (seeded), zeros in the tiny ones (moved out before saving)."""
        values = self.rng.standard_normal(dims) * 0.02 if self.rng is not None else np.zeros(dims)
        self.inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def const(self, name, values, dtype=np.int64):
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def model(self, inputs, outputs, name):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=OPSET, producer_name="tessera-fixtures")
        model.ir_version = 8
        return model


def rms(g, x, width, name, eps=1e-5):
    """RMSNorm as torch exports it: x · 1/sqrt(mean(x²) + eps) · weight."""
    sq = g.op("Pow", [x, g.const(name + ".two", 2.0, np.float32)], name + "/Pow")
    mean = g.op("ReduceMean", [sq], name + "/ReduceMean", axes=[-1], keepdims=1)
    var = g.op("Add", [mean, g.const(name + ".eps", eps, np.float32)], name + "/Add")
    inv = g.op("Reciprocal", [g.op("Sqrt", [var], name + "/Sqrt")], name + "/Reciprocal")
    normed = g.op("Mul", [x, inv], name + "/Mul")
    return g.op("Mul", [g.weight(name + ".weight", [width]), normed], name + "/Mul_1")


def rotate(g, x, cos, sin, half, name):
    """x·cos + rotate_half(x)·sin, rotate_half as Slice/Neg/Concat."""
    x1 = g.op("Slice", [x, g.const(name + ".s0", [0]), g.const(name + ".s1", [half]), g.const(name + ".ax", [-1])],
              name + "/Slice")
    x2 = g.op("Slice", [x, g.const(name + ".s2", [half]), g.const(name + ".s3", [2 * half]), name + ".ax"],
              name + "/Slice_1")
    rotated = g.op("Concat", [g.op("Neg", [x2], name + "/Neg"), x1], name + "/Concat", axis=-1)
    return g.op("Add", [g.op("Mul", [x, cos], name + "/Mul"), g.op("Mul", [rotated, sin], name + "/Mul_1")],
                name + "/Add")


def torch_style(name, hidden, heads, kv_heads, ffn, layers, vocab, dense_seed=None, einsum=False):
    """A decoder as torch.onnx.export writes a Llama (see the module docstring)."""
    g = Graph(dense_seed)
    hd = hidden // heads
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    pos = helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "sequence"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", 1, "sequence", "sequence"])
    x = g.op("Gather", [g.weight("model.embed_tokens.weight", [vocab, hidden]), "input_ids"], "/model/embed_tokens/Gather")
    # Rotary tables: freqs = position · inv_freq, duplicated, then cos and sin, one head axis added.
    inv_freq = g.const("model.rotary_emb.inv_freq", 1.0 / 10000 ** (np.arange(0, hd, 2) / hd), np.float32)
    p = g.op("Unsqueeze", [g.op("Cast", ["position_ids"], "/rotary/Cast", to=TensorProto.FLOAT),
                           g.const("/rotary.ax", [-1])], "/rotary/Unsqueeze")
    freqs = g.op("Mul", [p, inv_freq], "/rotary/Mul")
    emb = g.op("Concat", [freqs, freqs], "/rotary/Concat", axis=-1)
    ax1 = g.const("/rotary.ax1", [1])
    cos = g.op("Unsqueeze", [g.op("Cos", [emb], "/rotary/Cos"), ax1], "/rotary/Unsqueeze_1")
    sin = g.op("Unsqueeze", [g.op("Sin", [emb], "/rotary/Sin"), ax1], "/rotary/Unsqueeze_2")
    rep = heads // kv_heads
    for i in range(layers):
        p_ = f"/model/layers.{i}"
        w_ = f"model.layers.{i}"
        h = rms(g, x, hidden, f"{w_}.input_layernorm")

        def project(kind, width, n):
            y = g.op("MatMul", [h, g.weight(f"{w_}.self_attn.{kind}_proj.weight", [hidden, width])],
                     f"{p_}/self_attn/{kind}_proj/MatMul")
            y = g.op("Reshape", [y, g.const(f"{p_}.{kind}.shape", [0, 0, n, hd])], f"{p_}/self_attn/{kind}/Reshape")
            return g.op("Transpose", [y], f"{p_}/self_attn/{kind}/Transpose", perm=[0, 2, 1, 3])

        q, k, v = project("q", heads * hd, heads), project("k", kv_heads * hd, kv_heads), project("v", kv_heads * hd, kv_heads)
        q = rotate(g, q, cos, sin, hd // 2, f"{p_}/self_attn/q_rotary")
        k = rotate(g, k, cos, sin, hd // 2, f"{p_}/self_attn/k_rotary")

        def repeat_kv(t, kind):
            t = g.op("Unsqueeze", [t, g.const(f"{p_}.{kind}.ax", [2])], f"{p_}/self_attn/repeat_{kind}/Unsqueeze")
            t = g.op("Expand", [t, g.const(f"{p_}.{kind}.rep", [1, 1, rep, 1, 1])], f"{p_}/self_attn/repeat_{kind}/Expand")
            return g.op("Reshape", [t, g.const(f"{p_}.{kind}.flat", [0, heads, -1, hd])], f"{p_}/self_attn/repeat_{kind}/Reshape")

        k, v = repeat_kv(k, "k"), repeat_kv(v, "v")
        kt = g.op("Transpose", [k], f"{p_}/self_attn/Transpose_kt", perm=[0, 1, 3, 2])
        if einsum:
            scores = g.op("Einsum", [q, kt], f"{p_}/self_attn/Einsum", equation="bhsd,bhdt->bhst")
        else:
            scores = g.op("MatMul", [q, kt], f"{p_}/self_attn/MatMul")
        scores = g.op("Div", [scores, g.const(f"{p_}.scale", float(np.sqrt(hd)), np.float32)], f"{p_}/self_attn/Div")
        scores = g.op("Add", [scores, "attention_mask"], f"{p_}/self_attn/Add_mask")
        probs = g.op("Softmax", [scores], f"{p_}/self_attn/Softmax", axis=-1)
        ctx = g.op("MatMul", [probs, v], f"{p_}/self_attn/MatMul_1")
        ctx = g.op("Transpose", [ctx], f"{p_}/self_attn/Transpose_ctx", perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, g.const(f"{p_}.ctx.shape", [0, 0, heads * hd])], f"{p_}/self_attn/Reshape_ctx")
        o = g.op("MatMul", [ctx, g.weight(f"{w_}.self_attn.o_proj.weight", [heads * hd, hidden])], f"{p_}/self_attn/o_proj/MatMul")
        x = g.op("Add", [x, o], f"{p_}/Add")
        h = rms(g, x, hidden, f"{w_}.post_attention_layernorm")
        gate = g.op("MatMul", [h, g.weight(f"{w_}.mlp.gate_proj.weight", [hidden, ffn])], f"{p_}/mlp/gate_proj/MatMul")
        up = g.op("MatMul", [h, g.weight(f"{w_}.mlp.up_proj.weight", [hidden, ffn])], f"{p_}/mlp/up_proj/MatMul")
        silu = g.op("Mul", [gate, g.op("Sigmoid", [gate], f"{p_}/mlp/act_fn/Sigmoid")], f"{p_}/mlp/act_fn/Mul")
        act = g.op("Mul", [silu, up], f"{p_}/mlp/Mul")
        down = g.op("MatMul", [act, g.weight(f"{w_}.mlp.down_proj.weight", [ffn, hidden])], f"{p_}/mlp/down_proj/MatMul")
        x = g.op("Add", [x, down], f"{p_}/Add_1")
    if einsum:
        x = g.op("Hardmax", [x], "/model/Hardmax", axis=-1)
    x = rms(g, x, hidden, "model.norm")
    logits = g.op("MatMul", [x, g.weight("lm_head.weight", [hidden, vocab])], "/lm_head/MatMul")
    out = helper.make_tensor_value_info(logits, TensorProto.FLOAT, ["batch", "sequence", vocab])
    return g.model([ids, pos, mask], [out], name)


def contrib_style(name, hidden, heads, kv_heads, ffn, layers, vocab, experts=0, top_k=0, int4=False):
    """A decoder as ONNX Runtime GenAI's builder writes it (see the module docstring); with `int4`,
    its layers' MatMuls are 4-bit com.microsoft MatMulNBits (block 32) as its int4 builder writes them."""
    g = Graph()
    block = 32
    if int4:
        def matmul(inputs, name):
            w = inputs[1]
            k, n = next(t.dims for t in g.inits if t.name == w)
            g.inits[:] = [t for t in g.inits if t.name != w]
            packed = numpy_helper.from_array(np.zeros([n, k // block, block // 2], np.uint8), w + ".qweight")
            scales = numpy_helper.from_array(np.zeros([n * k // block], np.float32), w + ".scales")
            g.inits += [packed, scales]
            return g.op("MatMulNBits", [inputs[0], packed.name, scales.name], name.replace("MatMul", "MatMulNBits"),
                        domain="com.microsoft", K=k, N=n, bits=4, block_size=block)
    else:
        def matmul(inputs, name):
            return g.op("MatMul", inputs, name)
    hd = hidden // heads
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    seqlens = helper.make_tensor_value_info("seqlens_k", TensorProto.INT32, ["batch"])
    total = helper.make_tensor_value_info("total_sequence_length", TensorProto.INT32, [])
    x = g.op("Gather", [g.weight("model.embed_tokens.weight", [vocab, hidden]), "input_ids"], "/model/embed_tokens/Gather")
    cos_cache = g.weight("cos_cache", [2048, hd // 2])
    sin_cache = g.weight("sin_cache", [2048, hd // 2])
    h = g.op("SimplifiedLayerNormalization", [x, g.weight("model.layers.0.input_layernorm.weight", [hidden])],
             "/model/layers.0/input_layernorm/LayerNorm", axis=-1, epsilon=1e-5, stash_type=1)
    residual = x
    for i in range(layers):
        p_, w_ = f"/model/layers.{i}", f"model.layers.{i}"
        if experts:
            q = matmul([h, g.weight(f"{w_}.attn.q_proj.weight", [hidden, heads * hd])], f"{p_}/attn/q_proj/MatMul")
            k = matmul([h, g.weight(f"{w_}.attn.k_proj.weight", [hidden, kv_heads * hd])], f"{p_}/attn/k_proj/MatMul")
            v = matmul([h, g.weight(f"{w_}.attn.v_proj.weight", [hidden, kv_heads * hd])], f"{p_}/attn/v_proj/MatMul")
        else:
            q = matmul([h, g.weight(f"{w_}.attn.qkv_proj.weight", [hidden, (heads + 2 * kv_heads) * hd])],
                     f"{p_}/attn/qkv_proj/MatMul")
            k = v = ""
        attn = g.op("GroupQueryAttention", [q, k, v, "", "", "seqlens_k", "total_sequence_length", cos_cache, sin_cache],
                    f"{p_}/attn/GroupQueryAttention", outputs=3, domain="com.microsoft",
                    num_heads=heads, kv_num_heads=kv_heads, do_rotary=1)[0]
        o = matmul([attn, g.weight(f"{w_}.attn.o_proj.weight", [heads * hd, hidden])], f"{p_}/attn/o_proj/MatMul")
        h, _, _, residual = g.op("SkipSimplifiedLayerNormalization",
                                 [residual, o, g.weight(f"{w_}.post_attention_layernorm.weight", [hidden])],
                                 f"{p_}/post_attention_layernorm/SkipLayerNorm", outputs=4, domain="com.microsoft",
                                 epsilon=1e-5)
        if experts:
            router = matmul([h, g.weight(f"{w_}.moe.gate.weight", [hidden, experts])], f"{p_}/moe/gate/MatMul")
            mlp = g.op("MoE", [h, router, g.weight(f"{w_}.moe.fc1", [experts, hidden, ffn]), "",
                               g.weight(f"{w_}.moe.fc2", [experts, ffn, hidden]), "",
                               g.weight(f"{w_}.moe.fc3", [experts, hidden, ffn])],
                       f"{p_}/moe/MoE", domain="com.microsoft", k=top_k, activation_type="silu",
                       normalize_routing_weights=1)
        else:
            gate = matmul([h, g.weight(f"{w_}.mlp.gate_proj.weight", [hidden, ffn])], f"{p_}/mlp/gate_proj/MatMul")
            up = matmul([h, g.weight(f"{w_}.mlp.up_proj.weight", [hidden, ffn])], f"{p_}/mlp/up_proj/MatMul")
            silu = g.op("Mul", [gate, g.op("Sigmoid", [gate], f"{p_}/mlp/act_fn/Sigmoid")], f"{p_}/mlp/act_fn/Mul")
            mlp = matmul([g.op("Mul", [silu, up], f"{p_}/mlp/Mul"),
                                  g.weight(f"{w_}.mlp.down_proj.weight", [ffn, hidden])], f"{p_}/mlp/down_proj/MatMul")
        next_norm = f"model.layers.{i + 1}.input_layernorm" if i + 1 < layers else "model.norm"
        h, _, _, residual = g.op("SkipSimplifiedLayerNormalization",
                                 [residual, mlp, g.weight(next_norm + ".weight", [hidden])],
                                 f"/{next_norm.replace('.', '/')}/SkipLayerNorm", outputs=4, domain="com.microsoft",
                                 epsilon=1e-5)
    logits = g.op("MatMul", [h, g.weight("lm_head.weight", [hidden, vocab])], "/lm_head/MatMul")
    out = helper.make_tensor_value_info(logits, TensorProto.FLOAT, ["batch", "sequence", vocab])
    return g.model([ids, seqlens, total], [out], name)


def gpt2_style(name, hidden, heads, layers, vocab, positions, seed):
    """GPT-2 as torch exports it: LayerNormalization, a packed c_attn MatMul + bias split three ways,
    learned positions, GELU (tanh form) MLP with biases, LM head tied to the token table."""
    g = Graph(seed)
    hd = hidden // heads
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    pos = helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "sequence"])
    wte = g.weight("transformer.wte.weight", [vocab, hidden])
    x = g.op("Add", [g.op("Gather", [wte, "input_ids"], "/transformer/wte/Gather"),
                     g.op("Gather", [g.weight("transformer.wpe.weight", [positions, hidden]), "position_ids"],
                          "/transformer/wpe/Gather")], "/transformer/Add")

    def layer_norm(t, w):
        return g.op("LayerNormalization", [t, g.weight(w + ".weight", [hidden]), g.weight(w + ".bias", [hidden])],
                    "/" + w.replace(".", "/") + "/LayerNormalization", axis=-1, epsilon=1e-5)

    def linear(t, w, n_in, n_out):
        y = g.op("MatMul", [t, g.weight(w + ".weight", [n_in, n_out])], "/" + w.replace(".", "/") + "/MatMul")
        return g.op("Add", [y, g.weight(w + ".bias", [n_out])], "/" + w.replace(".", "/") + "/Add")

    for i in range(layers):
        w_ = f"transformer.h.{i}"
        qkv = linear(layer_norm(x, f"{w_}.ln_1"), f"{w_}.attn.c_attn", hidden, 3 * hidden)
        parts = g.op("Split", [qkv, g.const(f"{w_}.split", [hidden] * 3)], f"/{w_}/attn/Split", outputs=3, axis=-1)

        def heads_of(t, kind, perm):
            t = g.op("Reshape", [t, g.const(f"{w_}.{kind}.shape", [0, 0, heads, hd])], f"/{w_}/attn/{kind}/Reshape")
            return g.op("Transpose", [t], f"/{w_}/attn/{kind}/Transpose", perm=perm)

        q, kt, v = heads_of(parts[0], "q", [0, 2, 1, 3]), heads_of(parts[1], "k", [0, 2, 3, 1]), heads_of(parts[2], "v", [0, 2, 1, 3])
        scores = g.op("Div", [g.op("MatMul", [q, kt], f"/{w_}/attn/MatMul"), g.const(f"{w_}.scale", float(np.sqrt(hd)), np.float32)],
                      f"/{w_}/attn/Div")
        probs = g.op("Softmax", [scores], f"/{w_}/attn/Softmax", axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v], f"/{w_}/attn/MatMul_1")], f"/{w_}/attn/Transpose", perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, g.const(f"{w_}.ctx", [0, 0, hidden])], f"/{w_}/attn/Reshape")
        x = g.op("Add", [x, linear(ctx, f"{w_}.attn.c_proj", hidden, hidden)], f"/{w_}/Add")
        h = linear(layer_norm(x, f"{w_}.ln_2"), f"{w_}.mlp.c_fc", hidden, 4 * hidden)
        # gelu_new: 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))
        cube = g.op("Mul", [g.op("Pow", [h, g.const(f"{w_}.three", 3.0, np.float32)], f"/{w_}/mlp/act/Pow"),
                            g.const(f"{w_}.c", 0.044715, np.float32)], f"/{w_}/mlp/act/Mul")
        inner = g.op("Mul", [g.op("Add", [h, cube], f"/{w_}/mlp/act/Add"), g.const(f"{w_}.k", float(np.sqrt(2 / np.pi)), np.float32)],
                     f"/{w_}/mlp/act/Mul_1")
        one_plus = g.op("Add", [g.op("Tanh", [inner], f"/{w_}/mlp/act/Tanh"), g.const(f"{w_}.one", 1.0, np.float32)], f"/{w_}/mlp/act/Add_1")
        act = g.op("Mul", [g.op("Mul", [h, g.const(f"{w_}.half", 0.5, np.float32)], f"/{w_}/mlp/act/Mul_2"), one_plus],
                   f"/{w_}/mlp/act/Mul_3")
        x = g.op("Add", [x, linear(act, f"{w_}.mlp.c_proj", 4 * hidden, hidden)], f"/{w_}/Add_1")
    x = layer_norm(x, "transformer.ln_f")
    head = g.op("Transpose", [wte], "/lm_head/Transpose", perm=[1, 0])
    logits = g.op("MatMul", [x, head], "/lm_head/MatMul")
    out = helper.make_tensor_value_info(logits, TensorProto.FLOAT, ["batch", "sequence", vocab])
    return g.model([ids, pos], [out], name)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tiny = dict(hidden=256, heads=8, kv_heads=4, layers=4, vocab=4096)
    micro = dict(hidden=32, heads=4, kv_heads=2, ffn=64, layers=2, vocab=64)
    models = {
        "tiny-llama": torch_style("tiny-llama", ffn=768, **tiny),
        "tiny-llama-contrib": contrib_style("tiny-llama", ffn=768, **tiny),
        "tiny-moe-contrib": contrib_style("tiny-moe", ffn=512, experts=8, top_k=2, **tiny),
        "tiny-llama-contrib-int4": contrib_style("tiny-llama", ffn=768, int4=True, **tiny),
        "micro-dense": torch_style("micro", dense_seed=0, **micro),
        "micro-unsupported": torch_style("micro", dense_seed=0, einsum=True, **micro),
        "micro-gpt2": gpt2_style("micro-gpt2", hidden=32, heads=4, layers=2, vocab=64, positions=128, seed=0),
    }
    for name, model in models.items():
        if "contrib" not in name:  # the checker knows no com.microsoft schemas
            onnx.checker.check_model(model, full_check=True)
        path = OUT / f"{name}.onnx"
        if name.startswith("tiny"):
            data = OUT / f"{name}.onnx.data"
            onnx.save(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                      location=data.name, size_threshold=1024)
            data.unlink()
        else:
            onnx.save(model, path)
        print(f"{path.relative_to(OUT.parent.parent.parent)}: {path.stat().st_size} bytes, {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
