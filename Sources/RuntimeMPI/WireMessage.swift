import Runtime

/// How a `Message` travels over MPI: a fixed header of six Doubles (source, logical tag, send time,
/// arrival time, modelled bytes, payload count) and then the payload, one Double per Float (exact).
/// Timing mode sends the header alone, 48 bytes, whatever the modelled size.
///
/// Every message uses MPI tag 0 and carries its logical tag in the header, so tags never reach
/// `MPI_TAG_UB` (MPICH guarantees only 32767) and one probe of any source sees every arrival.
enum WireMessage {
    static let headerCount = 6
    static let mpiTag = 0

    static func encode(_ message: Message) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(headerCount + message.payload.count)
        values.append(Double(message.source))
        values.append(Double(message.tag))
        values.append(message.sendTimeS)
        values.append(message.arrivalTimeS)
        values.append(message.bytes)
        values.append(Double(message.payload.count))
        for value in message.payload { values.append(Double(value)) }
        return values
    }

    /// The message in `values`, or nil when they are not a well-formed header and payload.
    static func decode(_ values: [Double]) -> Message? {
        guard values.count >= headerCount, let source = Int(exactly: values[0]), let tag = Int(exactly: values[1]),
              let count = Int(exactly: values[5]), count == values.count - headerCount else { return nil }
        return Message(source: source, tag: tag, sendTimeS: values[2], arrivalTimeS: values[3], bytes: values[4],
                       payload: values[headerCount...].map { Float($0) })
    }
}

/// The runtime's message, not MessagePassing's `Message<T>` of received values.
typealias Message = Runtime.Message
