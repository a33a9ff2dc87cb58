import Runtime

/// How a `Message` travels over MPI: a fixed header of six Doubles (source, logical tag, send time,
/// arrival time, modelled bytes, payload count) on MPI tag 0, then, in numeric mode only, the
/// payload as Floats on MPI tag 1 from the same sender (MPI keeps the order per sender and tag, so
/// each payload follows its header). Timing mode sends the 48-byte header alone, whatever the
/// modelled size.
///
/// Logical tags ride in the header, so MPI tags stay 0 and 1, far below `MPI_TAG_UB` (MPICH
/// guarantees only 32767), and one receive posted for any source sees every header.
enum WireMessage {
    static let headerCount = 6
    static let headerTag = 0
    static let payloadTag = 1

    static func header(_ message: Message) -> [Double] {
        [Double(message.source), Double(message.tag), message.sendTimeS, message.arrivalTimeS, message.bytes,
         Double(message.payload.count)]
    }

    /// The message a header describes (payload still to come), or nil when it is not a header.
    static func decode(header values: [Double]) -> (message: Message, payloadCount: Int)? {
        guard values.count == headerCount, let source = Int(exactly: values[0]), let tag = Int(exactly: values[1]),
              let count = Int(exactly: values[5]), count >= 0 else { return nil }
        return (Message(source: source, tag: tag, sendTimeS: values[2], arrivalTimeS: values[3], bytes: values[4]), count)
    }
}
