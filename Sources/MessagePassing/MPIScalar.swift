internal import CMPI

/// An MPI datatype handle, such as `MPI_DOUBLE`.
public struct MPIDatatype: Sendable, Equatable {
    let handle: MPI_Datatype
}

/// A fixed-size value MPI can send and reduce without conversion.
public protocol MPIScalar: BitwiseCopyable, Sendable, Equatable {
    /// The MPI datatype with this type's layout.
    static var mpiDatatype: MPIDatatype { get }
}

extension Double: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_DOUBLE()) } }
extension Float: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_FLOAT()) } }
extension Int32: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_INT32_T()) } }
extension Int64: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_INT64_T()) } }
extension UInt8: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_UINT8_T()) } }
extension UInt64: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_UINT64_T()) } }
// Swift's Int is 64 bits on every platform Tessera builds for.
extension Int: MPIScalar { public static var mpiDatatype: MPIDatatype { .init(handle: tessera_MPI_INT64_T()) } }

/// A reduction for `allReduce`.
public enum ReductionOperation: Sendable, CaseIterable {
    case sum, product, min, max

    var handle: MPI_Op {
        switch self {
        case .sum: tessera_MPI_SUM()
        case .product: tessera_MPI_PROD()
        case .min: tessera_MPI_MIN()
        case .max: tessera_MPI_MAX()
        }
    }
}
