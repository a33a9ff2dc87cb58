import Testing
@testable import ClusterSpec

/// A small valid file; each test breaks one thing in it.
let validYAML = """
name: test
chip: chiplet
rack: rack
chiplet:
  name: Test-Chip
  compute:
    tflops: {bf16: 100, fp8: 200}
    matmulEfficiency: 0.5
    vectorEfficiency: 0.5
  memory:
    - {name: HBM, capacityGB: 80, bandwidthGBps: 3000}
  powerW: 700
levels:
  - name: node
    count: 8
    link: {topology: switch, bandwidthGBps: 450, latencyUs: 1.0}
  - name: rack
    count: 4
    link: {topology: torus2D, dims: [2, 2], bandwidthGBps: 400, latencyUs: 3.0, overheadUs: 0.5}
    powerW: 3000
"""

/// The message `validYAML` with `old` replaced by `new` fails with.
func failure(replacing old: String, with new: String) -> String? {
    #expect(validYAML.contains(old), "test edits text that is not there: \(old)")
    do {
        _ = try ClusterSpec.parse(yaml: validYAML.replacingOccurrences(of: old, with: new), file: "Clusters/x.yaml")
        return nil
    } catch {
        return "\(error)"
    }
}

@Test func validFileParses() throws {
    let spec = try ClusterSpec.parse(yaml: validYAML, file: "Clusters/x.yaml")
    #expect(spec.totalChiplets == 32)
    #expect(spec.rackLevel == 1)
    #expect(spec.levels[1].link == LinkSpec(topology: .torus2D, bandwidthGBps: 400, latencyUs: 3, overheadUs: 0.5, dims: [2, 2]))
    #expect(spec.levels[0].link.overheadUs == 0)
    #expect(spec.chiplet.memory == [MemoryTierSpec(name: "HBM", capacityBytes: 80e9, bandwidthGBps: 3000)])
}

@Test func unknownKeyIsRejectedWithItsPath() {
    #expect(failure(replacing: "  powerW: 700", with: "  powerW: 700\n  colour: red")
        == "Clusters/x.yaml: chiplet.colour: unknown key; expected one of name, compute, memory, powerW, costUSD")
    #expect(failure(replacing: "latencyUs: 1.0}", with: "latencyUs: 1.0, latency: 2}")
        == "Clusters/x.yaml: levels[0].link.latency: unknown key; expected one of topology, bandwidthGBps, latencyUs, overheadUs, dims")
}

@Test func missingKeyIsNamed() {
    #expect(failure(replacing: "  powerW: 700\n", with: "")
        == "Clusters/x.yaml: chiplet.powerW: missing; expected a positive number of W, at least 1e-9 and at most 1e12 (wider values overflow times and sizes)")
    #expect(failure(replacing: "name: Test-Chip", with: "name:")
        == "Clusters/x.yaml: chiplet.name: missing; expected text")
}

@Test func zeroAndNegativeValuesAreRejected() {
    #expect(failure(replacing: "bandwidthGBps: 450", with: "bandwidthGBps: 0")
        == "Clusters/x.yaml: levels[0].link.bandwidthGBps: expected a positive number of GB/s, at least 1e-9 and at most 1e12 (wider values overflow times and sizes), got 0")
    #expect(failure(replacing: "count: 8", with: "count: -2")
        == "Clusters/x.yaml: levels[0].count: expected a positive whole number, got -2")
    #expect(failure(replacing: "count: 8", with: "count: 8.5")
        == "Clusters/x.yaml: levels[0].count: expected a positive whole number, got 8.5")
    #expect(failure(replacing: "capacityGB: 80", with: "capacityGB: -80")
        == "Clusters/x.yaml: chiplet.memory[0].capacityGB: expected a positive number of GB, at least 1e-9 and at most 1e12 (wider values overflow times and sizes), got -80")
    #expect(failure(replacing: "matmulEfficiency: 0.5", with: "matmulEfficiency: 1.5")
        == "Clusters/x.yaml: chiplet.compute.matmulEfficiency: expected a fraction in (0, 1], got 1.5")
    #expect(failure(replacing: "powerW: 3000", with: "powerW: -1")
        == "Clusters/x.yaml: levels[1].powerW: expected a number of W ≥ 0, at most 1e12 (larger values overflow times and sizes), got -1")
}

@Test func numbersWrittenAsStringsAreRejected() {
    #expect(failure(replacing: "bandwidthGBps: 450", with: "bandwidthGBps: \"450\"")
        == "Clusters/x.yaml: levels[0].link.bandwidthGBps: expected a positive number of GB/s, at least 1e-9 and at most 1e12 (wider values overflow times and sizes), got the string \"450\"")
}

@Test func linkWithoutBandwidthIsRejected() {
    #expect(failure(replacing: "bandwidthGBps: 450, ", with: "")
        == "Clusters/x.yaml: levels[0].link.bandwidthGBps: missing; expected a positive number of GB/s, at least 1e-9 and at most 1e12 (wider values overflow times and sizes)")
}

@Test func unknownDTypeIsRejected() {
    #expect(failure(replacing: "fp8: 200", with: "fp9: 200")
        == "Clusters/x.yaml: chiplet.compute.tflops.fp9: unknown dtype; expected one of fp32, bf16, fp16, fp8, int8, fp4, int4, mxint8, mxint4")
}

@Test func unsupportedDTypeIsReportedForThePlanner() throws {
    let spec = try ClusterSpec.parse(yaml: validYAML, file: "Clusters/x.yaml")
    try spec.requireDType("fp8")
    #expect(throws: ClusterSpecError(file: "Clusters/x.yaml", keyPath: "chiplet.compute.tflops",
                                     message: "Test-Chip does not support fp4 (supports bf16, fp8)")) {
        try spec.requireDType("fp4")
    }
}

@Test func torusDimsMustMatchCount() {
    #expect(failure(replacing: "dims: [2, 2]", with: "dims: [2, 3]")
        == "Clusters/x.yaml: levels[1].link.dims: expected [x, y] with x × y = count (4), got [2, 3]")
    // make fuzz crasher (cluster seed 1 case 5720): the product of the dims trapped on overflow.
    #expect(failure(replacing: "dims: [2, 2]", with: "dims: [2, 9223372036854775807]")
        == "Clusters/x.yaml: levels[1].link.dims: expected [x, y] with x × y = count (4), got [2, 9223372036854775807]")
    #expect(failure(replacing: "dims: [2, 2], ", with: "")
        == "Clusters/x.yaml: levels[1].link.dims: missing; expected [x, y] with x × y = count (4)")
    #expect(failure(replacing: "topology: switch,", with: "topology: switch, dims: [2, 4],")
        == "Clusters/x.yaml: levels[0].link.dims: dims apply only to mesh2D and torus2D, not switch")
    #expect(failure(replacing: "topology: switch", with: "topology: star")
        == "Clusters/x.yaml: levels[0].link.topology: expected one of ring, fullMesh, switch, mesh2D, torus2D, got star")
}

@Test func capacityNeedsExactlyOneUnit() {
    #expect(failure(replacing: "capacityGB: 80", with: "capacityGB: 80, capacityMB: 5")
        == "Clusters/x.yaml: chiplet.memory[0]: expected exactly one of capacityGB, capacityMB, capacityGiB, got capacityGB and capacityMB")
    #expect(failure(replacing: "capacityGB: 80", with: "capacityGiB: 1")
        == nil)
}

@Test func chipAndRackMustNameLevels() {
    #expect(failure(replacing: "chip: chiplet", with: "chip: board")
        == "Clusters/x.yaml: chip: expected one of chiplet, node, rack, got board")
    #expect(failure(replacing: "name: node", with: "name: rack")
        == "Clusters/x.yaml: levels[1].name: expected a name not used by another level, got rack again")
}

@Test func duplicateKeyIsRejected() {
    #expect(failure(replacing: "  powerW: 700", with: "  powerW: 700\n  powerW: 800")
        == "Clusters/x.yaml: duplicate key powerW (first at line 12)")
}

@Test func yamlSyntaxErrorNamesFileAndLine() {
    #expect(failure(replacing: "name: test", with: "name: [test")
        == "Clusters/x.yaml: YAML syntax error at line 2, column 5: did not find expected ',' or ']'")
}

@Test func unreadableFileIsNamed() {
    do {
        _ = try ClusterSpec.load(path: "/nonexistent/x.yaml")
        Issue.record("loading a missing file succeeded")
    } catch let error as ClusterSpecError {
        #expect(error.file == "/nonexistent/x.yaml")
        #expect(error.keyPath == "")
        #expect(error.message.hasPrefix("cannot read the file"))
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

/// Numbers that parse but mean nothing (issue 15): a rate of 1e-300 or a size of 1e300 is refused
/// with the supported span, not planned into a TTFT of 1e299 ms or an encoded inf.
@Test func absurdMagnitudesAreRefused() {
    #expect(failure(replacing: "bandwidthGBps: 450", with: "bandwidthGBps: 1e-300")
        == "Clusters/x.yaml: levels[0].link.bandwidthGBps: expected a positive number of GB/s, at least 1e-9 and at most 1e12 "
        + "(wider values overflow times and sizes), got 1e-300")
    #expect(failure(replacing: "capacityGB: 80", with: "capacityGB: 1e300")?.hasSuffix("at most 1e12 (wider values overflow times and sizes), got 1e300") == true)
    #expect(failure(replacing: "bandwidthGBps: 450", with: "bandwidthGBps: .nan") != nil)
}

@Test func hostSpeedIsReadAndBounded() throws {
    let spec = try ClusterSpec.parse(yaml: validYAML.replacingOccurrences(of: "rack: rack\n", with: "rack: rack\nhost: {cpu: Grace, relativeSpeed: 0.5}\n"),
                                     file: "Clusters/x.yaml")
    #expect(spec.hostCPU == "Grace" && spec.hostSpeed == 0.5)
    #expect(try ClusterSpec.parse(yaml: validYAML, file: "Clusters/x.yaml").hostSpeed == 1)
    #expect(failure(replacing: "rack: rack\n", with: "rack: rack\nhost: {relativeSpeed: 0}\n")
        == "Clusters/x.yaml: host.relativeSpeed: expected a relative speed from 0.01 to 100, got 0")
    #expect(failure(replacing: "rack: rack\n", with: "rack: rack\nhost: {speed: 2}\n")
        == "Clusters/x.yaml: host.speed: unknown key; expected one of cpu, relativeSpeed")
}


/// An inline software profile's front end: read in ms, and a negative or absurd one is an error
/// naming the file and key.
@Test func inlineSoftwareFrontEnd() throws {
    let base = "chip: chiplet\n"
    let ok = validYAML.replacingOccurrences(of: base, with: base + "software: {name: svc, frontEndMs: 180}\n")
    #expect(try ClusterSpec.parse(yaml: ok, file: "Clusters/x.yaml").software.frontEndMs == 180)
    #expect(failure(replacing: base, with: base + "software: {name: svc, frontEndMs: -1}\n")
            == "Clusters/x.yaml: software.frontEndMs: expected a number of ms from 0 to 600,000, got -1")
}
