#!/usr/bin/env python3
"""Writes the class-default config.json of each registered decoder family and its parameter count
as the `transformers` library builds it, for Tests/ModelGraphTests/Fixtures/architectures/.

Run once in a throw-away venv (never at test time):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers
    /tmp/venv/bin/python scripts/architecture-references.py Tests/ModelGraphTests/Fixtures/architectures
The model is built on the meta device, so no weights are allocated; `parameters()` counts a
tied LM head once, as Tessera does.
"""
import json
import os
import sys

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

FAMILIES = [
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3_text", "phi", "phi3", "phimoe", "gpt2", "gptj", "gpt_neox", "opt", "bloom", "falcon",
    "starcoder2", "olmo", "olmo2", "olmoe", "deepseek_v2", "deepseek_v3", "dbrx", "cohere", "granite",
    "granitemoe", "gpt_oss", "llama4_text",
]


def main(folder, only=None):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "reference-counts.json")
    counts = json.load(open(path)) if only and os.path.exists(path) else {}
    for family in only or FAMILIES:
        config = AutoConfig.for_model(family)
        try:
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(config)
        except Exception as error:  # a class default that transformers itself cannot build
            counts[family] = {"error": f"{type(error).__name__}: {error}"}
            print(family, "cannot be built:", error, flush=True)
            continue
        total = sum(p.numel() for p in model.parameters())
        counts[family] = {"total": total, "class": type(model).__name__}
        data = config.to_dict()
        data["_source"] = (f"transformers {transformers.__version__} {type(config).__name__}() defaults, "
                           f"written by scripts/architecture-references.py")
        with open(os.path.join(folder, f"{family}.json"), "w") as f:
            json.dump(data, f, indent=1, sort_keys=True, default=str)
        print(family, total, type(model).__name__, flush=True)
    counts["_source"] = f"transformers {transformers.__version__}, torch {torch.__version__}, meta device"
    with open(path, "w") as f:
        json.dump(counts, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    # Optional second argument: a comma-separated subset, merged into the existing counts.
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/ModelGraphTests/Fixtures/architectures",
         sys.argv[2].split(",") if len(sys.argv) > 2 else None)
