# The two set-up commands of the README: `make demo` (the main job) and `make test` (every test).
# Both install missing Debian packages first (scripts/install-deps.sh, with sudo when not root).

# Hydra on one host: start ranks with fork, no ssh (the same flags as MPILauncher.hostFlags).
MPIRUN ?= mpirun -launcher fork
RANKS ?= 4

.PHONY: deps build release demo test bench

deps:
	scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

# The main job. Until the planner lands, that is `doctor` on $(RANKS) ranks, each bound to a core.
demo: release
	$(MPIRUN) -n $(RANKS) .build/release/tessera doctor --expect $(RANKS) --bind

# Unit tests, then the integration tests, which run the debug `tessera` under real mpirun.
test: build
	swift test

bench: release
	.build/release/tessera bench mpi
