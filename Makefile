# The two set-up commands of the README: `make demo` (the main job) and `make test` (every test).
# Both install missing Debian packages first (scripts/install-deps.sh, with sudo when not root).

# Hydra on one host: start ranks with fork, no ssh (the same flags as MPILauncher.hostFlags).
MPIRUN ?= mpirun -launcher fork
RANKS ?= 4

# What `make build` and `make test` (and so CI) check beyond a plain `swift build`: every target
# imports only the targets Package.swift lists for it (SwiftPM's explicit target-dependency import
# check; it catches imports of targets outside a target's dependency graph), and no warning
# passes. The flags are the same for build and test, so `swift test` reuses the build.
CHECKS ?= --explicit-target-dependency-import-check error -Xswiftc -warnings-as-errors

.PHONY: deps build release demo test bench bench-stream lint fuzz

deps:
	scripts/install-deps.sh

build: deps
	swift build $(CHECKS)

release: deps
	swift build -c release

# The main job: plan Llama-3-70B for chat traffic on a GB200 NVL72 layout and on a Corsair-style
# chiplet rack (a full search each), check the MPI set-up on $(RANKS) ranks, emulate the tiny model
# numerically at TP 2 × PP 2 and a Llama-3-70B TP 4 × PP 2 plan in timing mode under mpirun, and
# write a capacity report for the built-in default spec (four rack kinds, chat traffic).
demo: release
	.build/release/tessera plan --model Workloads/llama-3-70b.json --cluster Clusters/gb200-nvl72.yaml \
		--scenario Workloads/scenarios/chat.json --top 3 --explain -o .build/plan-gb200.json
	.build/release/tessera plan --model Workloads/llama-3-70b.json --cluster Clusters/corsair-rack.yaml \
		--scenario Workloads/scenarios/chat.json --weights mxint4 --activations mxint8 --kv-cache mxint8 \
		--top 3 -o .build/plan-corsair.json
	$(MPIRUN) -n $(RANKS) .build/release/tessera doctor --expect $(RANKS) --bind
	.build/release/tessera plan --model Workloads/tiny-llama.json --cluster Clusters/corsair-rack.yaml \
		--scenario Workloads/scenarios/tiny-test.json --weights mxint8 --activations mxint8 --kv-cache mxint8 \
		--tp 2 --pp 2 -o .build/plan-tiny.json
	$(MPIRUN) -n 4 .build/release/tessera emulate .build/plan-tiny.json --numeric
	.build/release/tessera plan --model Workloads/llama-3-70b.json --cluster Clusters/dgx-h100.yaml \
		--input-tokens 1024 --output-tokens 128 --batch 16 --mode static --tp 4 --pp 2 -o .build/plan-70b.json
	$(MPIRUN) -n 8 .build/release/tessera emulate .build/plan-70b.json --steps 8 --trace .build/trace-70b.json
	.build/release/tessera capacity -o capacity-default

# Unit tests, then the integration tests, which run the debug `tessera` under real mpirun, then a
# short fuzz pass: 1,000 seeded mutations per loader (seed 2; `make fuzz` runs seed 1 at 100,000).
test: build
	swift test $(CHECKS)
	.build/debug/tessera bench fuzz --cases $(FUZZ_CI_CASES) --seed $(FUZZ_CI_SEED) --out .build/fuzz-ci

# Every import declared in Package.swift (direct dependencies, which SwiftPM's check does not
# require), then swift-format's rules over Sources/ and Tests/ (scripts/lint.sh says which count where).
lint:
	scripts/check-imports.py
	scripts/lint.sh

bench: release
	.build/release/tessera bench plan
	.build/release/tessera bench capacity
	.build/release/tessera bench mpi
	.build/release/tessera bench emulate
	.build/release/tessera bench failures

# Issue 11's 256-rank request stream: Llama-3-8B (32 layers) as TP 8 × PP 32 serving 200 requests;
# prints set-up and message-loop wall time, messages/s against raw MPI at 256 ranks, peak RSS per rank.
bench-stream: release
	.build/release/tessera bench emulate --ranks 256 --requests 200 --rate 50 --oversubscribed-ranks 0

# Seeded mutations of every shipped input through every loader (issue 15), in the release build:
# per loader, cases, clean errors, accepted inputs, multi-line errors, crashes, hangs, nan/inf
# (accepted inputs with a NaN, infinite or negative derived figure), memory (past the 2 GiB cap of a
# child) and cases/s; exits 1 on any failure and saves the input in .build/fuzz/crashes/. `make test`
# runs the same command at 1,000 cases per loader in the debug build, and the engine in-process at
# a few hundred cases per file (Tests/PlannerTests/MutationTests.swift).
FUZZ_CASES ?= 100000
FUZZ_SEED ?= 1
FUZZ_CI_CASES ?= 1000
FUZZ_CI_SEED ?= 2
fuzz: release
	.build/release/tessera bench fuzz --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)
