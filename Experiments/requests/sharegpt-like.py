#!/usr/bin/env python3
"""Writes sharegpt-like.csv: a request trace for `tessera emulate --trace-in`, with a ShareGPT-like
length mix. Run once by hand; the CSV is committed and nothing runs Python at emulation time.

Lengths: log-normal, with the mean prompt (161 tokens) and mean output (338 tokens) of ShareGPT as
Kwon et al. 2023 (vLLM, SOSP, section 6.1) report them; the spreads (sigma 1.0 for prompts, 0.8
for outputs) and the clipping (prompts 4-4096, outputs 4-2048 tokens) are assumed. Arrivals:
Poisson at 2 requests/s (assumed). Seeded, so the file is the same on every run.

    python3 Experiments/requests/sharegpt-like.py [count] [rate] [seed] > Experiments/requests/sharegpt-like.csv
"""
import math
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
rate = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
rng = random.Random(seed)


def lognormal(mean, sigma, low, high):
    mu = math.log(mean) - sigma * sigma / 2
    return int(min(high, max(low, round(rng.lognormvariate(mu, sigma)))))


print("# ShareGPT-like mix, %d requests, Poisson %.3g/s, seed %d (Experiments/requests/sharegpt-like.py)" % (count, rate, seed))
print("arrival_s,input_tokens,output_tokens")
t = 0.0
for _ in range(count):
    t += rng.expovariate(rate)
    print("%.6f,%d,%d" % (t, lognormal(161, 1.0, 4, 4096), lognormal(338, 0.8, 4, 2048)))
