#!/usr/bin/env python3
"""Every module a target imports is one Package.swift declares for it (`make lint`).

SwiftPM's `--explicit-target-dependency-import-check error` (in `make build`/`make test`) fails
only on imports of targets outside a target's dependency graph; an import of a transitive
dependency passes it. This check is the strict half: each `import X` of a file in Sources/T or
Tests/T names a direct dependency of T (a target or a product), the system, or the toolchain.
"""
import json, pathlib, re, subprocess, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALWAYS = {"Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Darwin", "Testing", "XCTest",
          "Synchronization", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_implementationOnly\s+|(?:public|package|internal|private|fileprivate)\s+)*"
                    r"import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")

package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, check=True,
                                    capture_output=True, text=True).stdout)
problems = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    declared = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    folder = ROOT / target.get("path", ("Tests/" if target["type"] == "test" else "Sources/") + target["name"])
    for file in sorted(folder.rglob("*.swift")):
        for number, line in enumerate(file.read_text().splitlines(), 1):
            match = IMPORT.match(line)
            if match and match.group(1) not in ALWAYS | declared:
                problems.append(f"{file.relative_to(ROOT)}:{number}: {target['name']} imports {match.group(1)}, "
                                "which Package.swift does not list among its dependencies")
print("\n".join(problems) if problems else "imports: every import is declared")
sys.exit(1 if problems else 0)
