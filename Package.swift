// swift-tools-version: 6.0
// Tessera: plans and emulates how transformer inference is split across chiplets, chips and racks.
// Layering follows ../shared/ARCHITECTURE.md: C shims → safe surfaces → model/cluster data →
// cost model → planner → runtime → CLI. Planner and CostModel never import MPI.
import PackageDescription

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tessera", targets: ["TesseraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // C system libraries (Debian: libmpich-dev, libhwloc-dev; found with pkg-config).
        .systemLibrary(name: "CMPI", pkgConfig: "mpich",
                       providers: [.apt(["libmpich-dev"])]),
        .systemLibrary(name: "CHwloc", pkgConfig: "hwloc",
                       providers: [.apt(["libhwloc-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // Linux headers the Glibc module does not import (epoll); part of libc, nothing to link.
        .systemLibrary(name: "CLinux"),

        // Safe Swift surfaces over the C libraries.
        .target(name: "MessagePassing", dependencies: ["CMPI"]),
        .target(name: "HostTopology", dependencies: ["CHwloc"]),
        .target(name: "SQLiteStore", dependencies: ["CSQLite"]),
        // Content hashes that must not change between runs or hosts (FNV-1a).
        .target(name: "StableHash"),
        // The one writer of output files: atomic, and only onto regular files or new paths; and
        // the reader of input files, whose errors are words, not Foundation's codes.
        .target(name: "SafeOutput"),
        // Seeded text mutations of input files: the unit tests' short pass and `tessera bench fuzz`.
        .target(name: "Mutation"),

        // Inputs: models and clusters as data.
        .target(name: "ModelGraph", dependencies: ["SafeOutput"]),
        .target(name: "ClusterSpec", dependencies: ["SafeOutput", .product(name: "Yams", package: "Yams")]),
        // ONNX graphs → the same ModelConfig; Generated/onnx.pb.swift is committed
        // (scripts/generate-onnx-proto.sh), so the build never runs protoc.
        .target(name: "ONNXImport", dependencies: [
            "ModelGraph", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),

        // Analysis and planning (no MPI here, so most tests need no mpirun).
        .target(name: "CostModel", dependencies: ["ModelGraph", "ClusterSpec"]),
        .target(name: "Planner", dependencies: ["CostModel", "ClusterSpec", "ModelGraph", "SafeOutput"]),

        // The pass pipeline over a planned model (fold, fuse, layout, pad, tile, schedule), priced
        // by the planner's evaluator; its output plan is what Runtime lowers to programs.
        .target(name: "Compiler", dependencies: ["Planner", "CostModel", "ClusterSpec", "ModelGraph"]),

        // Emulation.
        .target(name: "Runtime", dependencies: [
            "Planner", "CostModel", "ClusterSpec", "ModelGraph", "StableHash", "SafeOutput",
        ]),
        .target(name: "RuntimeMPI", dependencies: [
            "Runtime", "Planner", "MessagePassing", "HostTopology", "StableHash", "CLinux",
        ]),

        // Capacity planning; CapacityMPI splits a sweep over MPI ranks.
        .target(name: "Capacity", dependencies: [
            "Planner", "ClusterSpec", "ModelGraph", "SQLiteStore", "StableHash", "SafeOutput",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "CapacityMPI", dependencies: ["Capacity", "MessagePassing"]),

        // The MPI workers of `tessera bench` (they run under mpirun; no test depends on them).
        .target(name: "Benchmarks", dependencies: ["MessagePassing", "Runtime", "RuntimeMPI"]),

        // The `tessera` command: argument parsing, printing and exit codes only.
        .executableTarget(name: "TesseraCLI", dependencies: [
            "MessagePassing", "HostTopology", "ModelGraph", "ONNXImport", "ClusterSpec", "CostModel",
            "Planner", "Compiler", "Runtime", "RuntimeMPI", "Capacity", "CapacityMPI", "Benchmarks", "SafeOutput",
            "Mutation", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test targets: one per library target, added with the target's first tests.
        .testTarget(name: "ModelGraphTests", dependencies: ["ModelGraph"], exclude: ["Fixtures"]),
        .testTarget(name: "ONNXImportTests", dependencies: ["ONNXImport", "ModelGraph", "Planner", "ClusterSpec"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ClusterSpecTests", dependencies: ["ClusterSpec"]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "CostModel", "ModelGraph", "ClusterSpec", "Mutation"]),
        .testTarget(name: "CostModelTests", dependencies: ["CostModel", "ModelGraph", "ClusterSpec"]),
        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing", "CMPI"]),
        .testTarget(name: "HostTopologyTests", dependencies: ["HostTopology"], exclude: ["Fixtures"]),
        .testTarget(name: "CapacityTests", dependencies: ["Capacity"], exclude: ["Fixtures"]),
        .testTarget(name: "NumericTests", dependencies: ["Runtime", "ModelGraph"]),
        .testTarget(name: "CompilerTests", dependencies: ["Compiler", "Planner", "CostModel", "ModelGraph", "ClusterSpec"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Planner", "CostModel", "ModelGraph", "ClusterSpec"]),
        .testTarget(name: "RuntimeMPITests", dependencies: ["RuntimeMPI", "Runtime", "HostTopology", "MessagePassing"]),
        // Runs the built `tessera` under real `mpirun`; `make test` builds it first.
        // Golden/ holds the expected output of the golden-file tests (UPDATE_GOLDEN=1 rewrites it).
        .testTarget(name: "IntegrationTests", dependencies: ["MessagePassing"], exclude: ["Golden"]),
    ]
)

// Release builds link the Swift runtime and Foundation statically: each of hundreds of emulator
// ranks then maps only the code it uses, not whole shared libraries (256 ranks on 2 cores: mean
// peak RSS 38.1 → 32 MB). Every module compiles with the flag so that it links against the
// static Foundation's dependencies. Cross-module optimisation specialises MessagePassing's
// generic requests inside the emulator's message loop (256 ranks, 20 decode steps: 7.5 → 5.5 s).
let staticStdlib = PackageDescription.BuildSettingCondition.when(platforms: [.linux], configuration: .release)
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-static-stdlib", "-cross-module-optimization"], staticStdlib)]
    if target.type == .executable {
        target.linkerSettings = (target.linkerSettings ?? []) + [.unsafeFlags(["-static-stdlib"], staticStdlib)]
    }
}
