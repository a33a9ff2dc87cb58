import Runtime

/// Messages that arrived before anyone asked for them: a FIFO per (source, tag).
struct ArrivalStash {
    private struct Key: Hashable {
        let source: Int
        let tag: Int
    }

    private struct Queue {
        var messages: [Message] = []
        var head = 0
    }

    private var queues: [Key: Queue] = [:]
    /// Messages held now, over all keys.
    private(set) var count = 0

    mutating func put(_ message: Message) {
        queues[Key(source: message.source, tag: message.tag), default: Queue()].messages.append(message)
        count += 1
    }

    /// The oldest held message from `source` with `tag`, if any.
    mutating func take(source: Int, tag: Int) -> Message? {
        guard count > 0 else { return nil }
        let key = Key(source: source, tag: tag)
        guard var queue = queues[key], queue.head < queue.messages.count else { return nil }
        let message = queue.messages[queue.head]
        queue.head += 1
        queues[key] = queue.head == queue.messages.count ? nil : queue
        count -= 1
        return message
    }
}
