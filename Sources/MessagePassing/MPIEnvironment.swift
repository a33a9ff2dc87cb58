#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// Settings of MPICH's transports (UCX) and of hwloc, which MPICH loads too, that tessera applies
/// before `MPI_Init` unless the user has set them. They make each rank smaller and quicker to
/// start when many share a host.
///
/// Measured on 2 cores, 256 ranks emulating a Llama-3-8B decode step (`tessera bench emulate`):
/// stock, mean peak RSS 43.5 MB and `MPI_Init` 28–31 s; without hwloc's GL, OpenCL, PCI and libxml2
/// plugins (they load libX11, libOpenCL, libpciaccess, libxml2 and ICU into every rank) 41.4 MB;
/// with UCX limited to its shared-memory transport as well, 38.0 MB and `MPI_Init` 12–14 s. (UCX's
/// own global options, such as `UCX_MODULES`, are read when libucs loads, before any of this.)
/// Later, 256 ranks serving a request stream (TP 8 × PP 32): a peak of 40.6 MB on the fullest rank,
/// 38.6 MB with the shared-memory queues below (32 slots of 2 KiB rather than UCX 1.13's 64 of
/// 8 KiB; the emulator's messages are 48-byte headers, and larger ones go in several pieces).
public enum MPIEnvironment {
    public struct Setting: Equatable, Sendable {
        public var name: String
        public var value: String
        /// Why tessera sets it, or "yours" when the user's value stays.
        public var reason: String
    }

    /// hwloc plugins that find GPUs, OpenCL devices, PCI devices and parse XML with libxml2; none
    /// matters for placing ranks on PUs, and hwloc has its own XML parser.
    static let unusedHwlocPlugins = "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml"

    /// The settings for a process with `environment`. UCX is limited to `self,posix` only when
    /// hydra says every rank is on this host (`MPI_LOCALNRANKS` equals `PMI_SIZE`), or for a
    /// process started without mpirun; across hosts UCX keeps its own choice of network.
    public static func settings(for environment: [String: String]) -> [Setting] {
        var out: [Setting] = []
        func add(_ name: String, _ value: String, _ reason: String) {
            if let own = environment[name] {
                out.append(Setting(name: name, value: own, reason: "yours"))
            } else {
                out.append(Setting(name: name, value: value, reason: reason))
            }
        }
        add("HWLOC_PLUGINS_BLACKLIST", unusedHwlocPlugins, "placement needs no GPU, OpenCL, PCI or libxml2 plugin")
        let worldSize = environment["PMI_SIZE"].flatMap { Int($0) } ?? 1
        let onHost = environment["MPI_LOCALNRANKS"].flatMap { Int($0) } ?? worldSize
        if onHost == worldSize {
            let why = worldSize == 1 ? "one process" : "all \(worldSize) ranks on this host"
            add("UCX_TLS", "self,posix", "\(why): shared memory only")
            add("UCX_POSIX_FIFO_SIZE", "32", "\(why): a smaller shared-memory queue per rank")
            add("UCX_POSIX_SEG_SIZE", "2048", "\(why): smaller shared-memory slots")
        }
        return out
    }

    /// What `applyDefaults` found and set in this process (empty before it runs).
    public static var applied: [Setting] { lock.withLock { appliedSettings } }

    /// Written once, by `applyDefaults`, read from any thread: always under `lock`.
    nonisolated(unsafe) private static var appliedSettings: [Setting] = []
    private static let lock = NSLock()

    /// Sets the variables of `settings(for:)` that the user has not set. Called by
    /// `MPIRuntime.world()` before MPI starts; a later call changes nothing.
    static func applyDefaults() {
        lock.withLock {
            guard appliedSettings.isEmpty else { return }
            var environment: [String: String] = [:]
            for name in ["PMI_SIZE", "MPI_LOCALNRANKS", "HWLOC_PLUGINS_BLACKLIST", "UCX_TLS", "UCX_POSIX_FIFO_SIZE",
                         "UCX_POSIX_SEG_SIZE"] {
                if let value = getenv(name) { environment[name] = String(cString: value) }
            }
            appliedSettings = settings(for: environment)
            for setting in appliedSettings where setting.reason != "yours" { setenv(setting.name, setting.value, 0) }
        }
    }
}
