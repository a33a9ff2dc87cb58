import ArgumentParser
import Benchmarks
import Foundation
import Mutation
import Synchronization

/// `tessera bench fuzz`: the seeded mutation engine of the unit tests (`Mutation`), at scale. A
/// Swift trap cannot be caught in-process, so each loader's batch runs in a child process (this
/// binary again, with the hidden `--child`); when a child dies, the parent names the seed and case,
/// keeps the input, counts the crash and goes on from the next case.
struct BenchFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed seeded mutations of the shipped inputs to every loader; count crashes, hangs, nan/inf and memory.",
        discussion: """
            Loaders: \(FuzzLoader.all.map(\.name).joined(separator: ", ")). Each case mutates one \
            shipped file (numbers set to 0, -1, 1e300, NaN, 2^63-1…, lines deleted, duplicated or cut) \
            and loads it; an accepted input's derived figures (totals, rates, capacities, times) must \
            be finite and not negative. Prints per loader: cases, clean errors, accepted inputs, \
            multi-line errors, crashes, hangs (a case over --case-seconds), nan/inf (an accepted input \
            with a NaN, infinite or negative figure), memory (a case past --memory-gib of address \
            space) and cases/s; exits 1 on any crash, hang, nan/inf or memory case. Each failing input \
            is saved as <out>/crashes/<loader>-seed-<S>-case-<N>.<ext> with the command that replays \
            it. Run from the repository root; use the release build for figures.

              .build/release/tessera bench fuzz                      # make fuzz: 100,000 cases per loader
              .build/release/tessera bench fuzz --loader plan --cases 1000 --seed 7
              .build/debug/tessera bench fuzz --cases 1000 --seed 2 --out .build/fuzz-ci   # make test's pass
              .build/release/tessera bench fuzz --loader model --seed 1 --start 4711 --cases 1   # replay
            """)

    @Option(help: "Cases per loader.") var cases = 100_000
    @Option(help: "The run's seed (case N of seed S is the same input on every host).") var seed: UInt64 = 1
    @Option(help: "The first case number (with --cases 1, replays one case).") var start = 0
    @Option(help: "A loader to run (repeatable; default: all).") var loader: [String] = []
    @Option(help: "Folder for case files and saved crashers.") var out = ".build/fuzz"
    @Option(help: "Seconds one case may run before it counts as a hang.") var caseSeconds = 10
    @Option(help: "Address space of a child process, in GiB: a case that needs more counts as memory.")
    var memoryGib = 2.0
    @Option(help: "Loaders fuzzed at once, each in its own child process (default: one per core).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: .hidden) var child: String?

    func validate() throws {
        let names = FuzzLoader.all.map(\.name)
        for name in loader + (child.map { [$0] } ?? []) where !names.contains(name) {
            throw ValidationError("unknown loader \"\(name)\"; expected one of \(names.joined(separator: ", "))")
        }
        guard (1...100_000_000).contains(cases) else { throw ValidationError("--cases must be 1 to 100000000, got \(cases)") }
        guard (0...Int(Int32.max)).contains(start) else { throw ValidationError("--start must be 0 to 2^31-1, got \(start)") }
        guard (1...3600).contains(caseSeconds) else { throw ValidationError("--case-seconds must be 1 to 3600, got \(caseSeconds)") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64, got \(jobs)") }
        guard memoryGib.isFinite, (0.1...1024).contains(memoryGib) else {
            throw ValidationError("--memory-gib must be 0.1 to 1024, got \(memoryGib)")
        }
    }

    func run() throws {
        if let child { return try runChild(FuzzLoader.all.first { $0.name == child }!) }
        let chosen = FuzzLoader.all.filter { loader.isEmpty || loader.contains($0.name) }
        print("fuzz: seed \(seed), cases \(start)..<\(start + cases) per loader, one child process per batch, "
            + "\(caseSeconds) s per case, \(memoryGib) GiB of address space per child, \(jobs) loader(s) at a time")
        fflush(nil)
        var rows: [[String]] = [], failed = 0
        let began = Date()
        for (l, outcome) in zip(chosen, try fuzzAll(chosen)) {
            let result = try outcome.get()
            failed += result.crashes + result.hangs + result.memory + result.tally.impossible
            let rate = Double(cases) / max(result.seconds, 1e-9)
            rows.append([l.name, "\(cases)", "\(result.tally.refused)", "\(result.tally.accepted)", "\(result.tally.multiLine)",
                         "\(result.crashes)", "\(result.hangs)", "\(result.tally.impossible)", "\(result.memory)",
                         String(format: "%.0f", rate)])
        }
        print(table(["loader", "cases", "clean errors", "accepted", "multi-line errors", "crashes", "hangs", "nan/inf",
                     "memory", "cases/s"], rows))
        print(String(format: "wall time %.0f s", Date().timeIntervalSince(began)))
        if failed > 0 { throw ExitCode.failure }
    }

    /// The outcome of one loader over all its cases, summed over the child processes it took.
    struct Outcome { var tally = MutationTally(), crashes = 0, hangs = 0, memory = 0, seconds = 0.0 }

    /// Runs the loaders `jobs` at a time (a loader's cases stay in order in its own children), so
    /// both cores of a 2-core machine work; the outcomes come back in the order of `loaders`.
    func fuzzAll(_ loaders: [FuzzLoader]) throws -> [Result<Outcome, any Error>] {
        let next = Mutex(0)
        let outcomes = Mutex([Int: Result<Outcome, any Error>]())
        DispatchQueue.concurrentPerform(iterations: min(jobs, loaders.count)) { _ in
            while true {
                let i = next.withLock { n in defer { n += 1 }; return n }
                guard i < loaders.count else { return }
                let outcome = Result { try fuzz(loaders[i]) }
                outcomes.withLock { $0[i] = outcome }
            }
        }
        return outcomes.withLock { all in loaders.indices.map { all[$0] ?? .failure(ValidationError("loader \(loaders[$0].name) did not run")) } }
    }

    /// Runs one loader's cases in child processes, restarting after each case that kills one.
    func fuzz(_ l: FuzzLoader) throws -> Outcome {
        var outcome = Outcome()
        let folder = out + "/" + l.name
        try FileManager.default.createDirectory(atPath: out + "/crashes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let began = Date()
        var next = start
        let end = start + cases
        while next < end {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BenchLaunch.executablePath())
            process.arguments = ["bench", "fuzz", "--child", l.name, "--seed", "\(seed)", "--start", "\(next)",
                                 "--cases", "\(end - next)", "--out", out, "--case-seconds", "\(caseSeconds)",
                                 "--memory-gib", "\(memoryGib)"]
            let output = Pipe()
            process.standardOutput = output
            let errorsPath = folder + "/stderr"
            _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
            try? FileManager.default.removeItem(atPath: folder + "/progress")
            let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
            defer { try? errors.close() }
            process.standardError = errors
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // Impossible figures, reported by the child as it found them (the input already saved).
            for line in printed.split(separator: "\n") where line.hasPrefix("NANINF ") {
                let fields = line.split(separator: " ", maxSplits: 3)
                guard fields.count == 4, let n = Int(fields[1]) else { continue }
                // One print per report: loaders run at once, and their lines must not interleave.
                print("NAN/INF \(l.name) seed \(seed) case \(n): \(fields[3])\n"
                    + "  input: \(savedPath(l, n, String(fields[2]))); replay: \(replay(l, n))")
            }
            if process.terminationReason == .exit {
                guard process.terminationStatus == 0, let counts = ChildReport(printed) else {
                    let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
                    throw ValidationError("the \(l.name) batch failed (exit \(process.terminationStatus)): \(errors)")
                }
                outcome.tally.add(counts.tally)
                for example in counts.examples { print("multi-line error (\(l.name)): \(example)") }
                break
            }
            // Killed: the progress file names the case and the tally before it.
            guard let progress = ChildReport((try? String(contentsOfFile: folder + "/progress", encoding: .utf8)) ?? ""),
                  let n = progress.caseNumber, let casePath = progress.casePath else {
                throw ValidationError("the \(l.name) batch died (signal \(process.terminationStatus)) before its first case")
            }
            outcome.tally.add(progress.tally)
            let saved = savedPath(l, n, (casePath as NSString).pathExtension)
            try? FileManager.default.removeItem(atPath: saved)
            try? FileManager.default.copyItem(atPath: casePath, toPath: saved)
            // The trap's own line ("…: Fatal error: …"), not the backtrace after it.
            let lines = ((try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "").split(separator: "\n")
            let why = lines.first { $0.contains("Fatal error") } ?? lines.first { $0.contains("signal") } ?? ""
            let kind: String
            if process.terminationStatus == SIGALRM {
                kind = "HANG"; outcome.hangs += 1
            } else if lines.contains(where: Self.isOutOfMemory) {
                kind = "MEMORY"; outcome.memory += 1
            } else {
                kind = "CRASH"; outcome.crashes += 1
            }
            print("\(kind) \(l.name) seed \(seed) case \(n) (signal \(process.terminationStatus)): \(why)\n"
                + "  input: \(saved); replay: \(replay(l, n))")
            fflush(nil)  // nil flushes every stream (and needs no access to the global `stdout`)
            next = n + 1
        }
        outcome.seconds = Date().timeIntervalSince(began)
        let t = outcome.tally
        print("done \(l.name): \(t.refused) clean errors, \(t.accepted) accepted, \(t.impossible) nan/inf, \(outcome.crashes) crashes, "
            + "\(outcome.hangs) hangs, \(outcome.memory) memory in \(Int(outcome.seconds)) s")
        fflush(nil)
        return outcome
    }

    func savedPath(_ l: FuzzLoader, _ n: Int, _ ext: String) -> String {
        out + "/crashes/\(l.name)-seed-\(seed)-case-\(n)." + ext
    }

    func replay(_ l: FuzzLoader, _ n: Int) -> String {
        "tessera bench fuzz --loader \(l.name) --seed \(seed) --start \(n) --cases 1"
    }

    /// What a child prints when an allocation fails under its address-space cap: the Swift runtime
    /// ("Fatal error: failed to allocate 262160 bytes of memory"), libc ("Cannot allocate memory"),
    /// C++ (`bad_alloc`).
    static func isOutOfMemory(_ line: Substring) -> Bool {
        ["failed to allocate", "allocate memory", "out of memory", "bad_alloc", "Cannot allocate"].contains { line.contains($0) }
    }

    /// The child: runs the batch in this process and prints its tally; before each case it records
    /// the case number and the tally so far, and arms an alarm whose signal ends a hung case. Its
    /// address space is capped, so a case that allocates without bound fails here, not in swap.
    func runChild(_ l: FuzzLoader) throws {
        let bytes = rlim_t(memoryGib * 1_073_741_824)
        var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
        guard setrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0 else {
            throw ValidationError("cannot cap the address space at \(memoryGib) GiB (errno \(errno))")
        }
        let root = FileManager.default.currentDirectoryPath
        let folder = out + "/" + l.name
        let seeds = try l.seeds(root, folder)
        // Rewritten in place before every case (no truncation, no sync): a fixed-size record whose
        // first line is the report and the rest padding, which outlives the process if it dies.
        let progress = open(folder + "/progress", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard progress >= 0 else { throw ValidationError("cannot write \(folder)/progress (errno \(errno))") }
        defer { close(progress) }
        let ext = seeds.first.map { ($0.casePath as NSString).pathExtension } ?? ""
        let tally = try Mutator.run(seeds, seed: seed, cases: start..<(start + cases), before: { n, _, tally in
            let input = seeds[n % seeds.count].casePath
            var record = Array((ChildReport.line(tally, caseNumber: n, casePath: input) + "\n").utf8)
            record += [UInt8](repeating: UInt8(ascii: " "), count: max(0, 4096 - record.count))
            guard pwrite(progress, record, record.count, 0) == record.count else {
                throw ValidationError("cannot write \(folder)/progress (errno \(errno))")
            }
            alarm(UInt32(caseSeconds))
        }, impossible: { n, figure in
            // Saved now: the next case overwrites the case file. Printed now, so the parent sees it
            // even if a later case kills this process.
            let saved = savedPath(l, n, ext)
            try? FileManager.default.removeItem(atPath: saved)
            try? FileManager.default.copyItem(atPath: seeds[n % seeds.count].casePath, toPath: saved)
            print("NANINF \(n) \(ext) \(figure)")
            fflush(nil)
        }, load: { try l.load(root, $0) })
        alarm(0)
        print(ChildReport.line(tally, caseNumber: nil, casePath: nil))
        for example in tally.multiLineExamples { print("EXAMPLE " + example.replacingOccurrences(of: "\n", with: "\\n")) }
    }

    func table(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// What a child reports, to the parent on stdout at the end and in its progress file before each
/// case: `FUZZ accepted refused multiLine [case path]`, then `EXAMPLE …` lines.
struct ChildReport {
    var tally = MutationTally()
    var caseNumber: Int?
    var casePath: String?
    var examples: [String] = []

    static func line(_ t: MutationTally, caseNumber: Int?, casePath: String?) -> String {
        "FUZZ \(t.accepted) \(t.refused) \(t.multiLine) \(t.impossible)" + (caseNumber.map { " \($0)" } ?? "")
            + (casePath.map { " \($0)" } ?? "")
    }

    init?(_ text: String) {
        let lines = text.split(separator: "\n")
        guard let first = lines.first(where: { $0.hasPrefix("FUZZ ") }) else { return nil }
        let fields = first.split(separator: " ", maxSplits: 6).map(String.init)
        guard fields.count >= 5, let a = Int(fields[1]), let r = Int(fields[2]), let m = Int(fields[3]), let i = Int(fields[4]) else {
            return nil
        }
        tally.accepted = a; tally.refused = r; tally.multiLine = m; tally.impossible = i
        if fields.count >= 7 { caseNumber = Int(fields[5]); casePath = fields[6] }
        examples = lines.filter { $0.hasPrefix("EXAMPLE ") }.map { String($0.dropFirst(8)) }
    }
}

extension MutationTally {
    mutating func add(_ other: MutationTally) {
        accepted += other.accepted; refused += other.refused; multiLine += other.multiLine; impossible += other.impossible
    }
}
