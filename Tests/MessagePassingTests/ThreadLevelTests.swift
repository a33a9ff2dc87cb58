import Testing
@testable import MessagePassing

/// `MPIRuntime.world()` refuses a library that cannot take calls from several threads.
@Suite struct ThreadLevelTests {
    @Test func everyLevelBelowMultipleIsATypedErrorNamingIt() throws {
        let expected = ["MPI_THREAD_SINGLE", "MPI_THREAD_FUNNELED", "MPI_THREAD_SERIALIZED"]
        for (level, name) in zip(MPICall.threadLevels.dropLast(), expected) {
            let error = try #require(MPIError.threadLevel(provided: level.value))
            #expect(error.call == "MPI_Init_thread")
            #expect(error.code == level.value)
            #expect(error.message.hasPrefix("the MPI library provides only \(name); tessera needs MPI_THREAD_MULTIPLE"))
        }
    }

    @Test func multipleIsEnough() {
        #expect(MPIError.threadLevel(provided: MPICall.threadMultiple) == nil)
        #expect(MPICall.threadLevels.map(\.value) == MPICall.threadLevels.map(\.value).sorted())
    }
}
