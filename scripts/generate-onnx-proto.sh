#!/usr/bin/env bash
# Regenerates Sources/ONNXImport/Generated/onnx.pb.swift from scripts/proto/onnx.proto. Run by hand
# only: the file is committed and the build never runs protoc.
#
# Pinned: onnx.proto from the `onnx` 1.23.2 wheel on PyPI (proto2, package onnx, IR version 14),
# copied to scripts/proto/; protoc from Debian (`apt-get install -y protobuf-compiler`, 3.21.12
# when generated); protoc-gen-swift built from apple/swift-protobuf 1.39.0, the version
# Package.swift depends on (about 3 to 10 minutes on 2 cores):
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   git -C /tmp/swift-protobuf checkout 1.39.0
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift scripts/generate-onnx-proto.sh
# To take a newer onnx.proto: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install onnx==X, copy
# its site-packages/onnx/onnx.proto here, and update the version above.
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}
[[ -x $plugin ]] || { echo "protoc-gen-swift not found at $plugin (see the comment at the top)" >&2; exit 1; }
command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=scripts/proto --swift_out="$out" \
    --swift_opt=Visibility=Internal onnx.proto
# The generated file starts with `// swift-format-ignore-file`, so `make lint` skips it.
cp "$out/onnx.pb.swift" Sources/ONNXImport/Generated/onnx.pb.swift
echo "wrote Sources/ONNXImport/Generated/onnx.pb.swift ($(wc -l < Sources/ONNXImport/Generated/onnx.pb.swift) lines)"
