import Testing
@testable import MessagePassing

@Suite struct MPIEnvironmentTests {
    private func named(_ settings: [MPIEnvironment.Setting]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0.value) })
    }

    @Test func allRanksOnOneHostGetSharedMemoryOnly() {
        let settings = MPIEnvironment.settings(for: ["PMI_SIZE": "256", "MPI_LOCALNRANKS": "256"])
        #expect(named(settings) == ["HWLOC_PLUGINS_BLACKLIST": "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml",
                                    "UCX_TLS": "self,posix", "UCX_POSIX_FIFO_SIZE": "32", "UCX_POSIX_SEG_SIZE": "2048"])
        #expect(settings.first { $0.name == "UCX_TLS" }?.reason == "all 256 ranks on this host: shared memory only")
    }

    @Test func ranksAcrossHostsKeepUCXsOwnChoice() {
        let settings = MPIEnvironment.settings(for: ["PMI_SIZE": "16", "MPI_LOCALNRANKS": "8"])
        #expect(settings.map(\.name) == ["HWLOC_PLUGINS_BLACKLIST"])
    }

    @Test func theUsersValuesStayAndAreMarked() {
        let settings = MPIEnvironment.settings(for: ["UCX_TLS": "self,tcp", "HWLOC_PLUGINS_BLACKLIST": "",
                                                     "UCX_POSIX_SEG_SIZE": "8256"])
        #expect(settings == [
            .init(name: "HWLOC_PLUGINS_BLACKLIST", value: "", reason: "yours"),
            .init(name: "UCX_TLS", value: "self,tcp", reason: "yours"),
            .init(name: "UCX_POSIX_FIFO_SIZE", value: "32", reason: "one process: a smaller shared-memory queue per rank"),
            .init(name: "UCX_POSIX_SEG_SIZE", value: "8256", reason: "yours"),
        ])
    }

    @Test func aProcessWithoutMpirunIsOneRankOnItsHost() {
        #expect(named(MPIEnvironment.settings(for: [:]))["UCX_TLS"] == "self,posix")
    }
}
