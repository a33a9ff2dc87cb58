import Foundation

/// This host's PUs per core, from sysfs, independently of hwloc (so the test checks hwloc's answer).
enum HostPUs {
    static func byCore() throws -> [[Int]] {
        let cpus = try FileManager.default.contentsOfDirectory(atPath: "/sys/devices/system/cpu")
            .filter { $0.hasPrefix("cpu") }.compactMap { Int($0.dropFirst(3)) }.sorted()
        var cores: [String: [Int]] = [:]
        var order: [String] = []
        for cpu in cpus {
            let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            let package = try String(contentsOfFile: base + "physical_package_id", encoding: .utf8)
            let core = try String(contentsOfFile: base + "core_id", encoding: .utf8)
            let key = package.trimmingCharacters(in: .whitespacesAndNewlines) + "/"
                + core.trimmingCharacters(in: .whitespacesAndNewlines)
            if cores[key] == nil { order.append(key) }
            cores[key, default: []].append(cpu)
        }
        return order.compactMap { cores[$0] }
    }
}
