import Testing
@testable import MessagePassing

@Suite struct MPIEnvironmentTests {
    private func named(_ settings: [MPIEnvironment.Setting]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: settings.map { ($0.name, $0.value) })
    }

    @Test func allRanksOnOneHostGetSharedMemoryOnly() {
        let settings = MPIEnvironment.settings(for: ["PMI_SIZE": "256", "MPI_LOCALNRANKS": "256"])
        #expect(named(settings) == ["HWLOC_PLUGINS_BLACKLIST": "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml",
                                    "UCX_TLS": "self,posix"])
        #expect(settings.first { $0.name == "UCX_TLS" }?.reason == "all 256 ranks on this host: shared memory only")
    }

    @Test func ranksAcrossHostsKeepUCXsOwnChoice() {
        let settings = MPIEnvironment.settings(for: ["PMI_SIZE": "16", "MPI_LOCALNRANKS": "8"])
        #expect(settings.map(\.name) == ["HWLOC_PLUGINS_BLACKLIST"])
    }

    @Test func theUsersValuesStayAndAreMarked() {
        let settings = MPIEnvironment.settings(for: ["UCX_TLS": "self,tcp", "HWLOC_PLUGINS_BLACKLIST": ""])
        #expect(settings == [
            .init(name: "HWLOC_PLUGINS_BLACKLIST", value: "", reason: "yours"),
            .init(name: "UCX_TLS", value: "self,tcp", reason: "yours"),
        ])
    }

    @Test func aProcessWithoutMpirunIsOneRankOnItsHost() {
        #expect(named(MPIEnvironment.settings(for: [:]))["UCX_TLS"] == "self,posix")
    }
}
