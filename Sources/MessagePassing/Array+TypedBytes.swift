// `withUnsafeBytes` rethrows untyped errors; these keep `MPIError` typed through the closure.
extension Array {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(MPIError) -> R) throws(MPIError) -> R {
        try withUnsafeBytes { bytes in Result { () throws(MPIError) in try body(bytes) } }.get()
    }

    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(MPIError) -> R)
        throws(MPIError) -> R
    {
        try withUnsafeMutableBytes { bytes in Result { () throws(MPIError) in try body(bytes) } }.get()
    }
}
