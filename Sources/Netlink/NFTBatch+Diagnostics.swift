internal import CNetfilter

/// Telling a kernel error in our terms: which operation on which object, and — where the
/// kernel's extended ack points at an attribute — which element or expression inside it.
extension NFTBatch {
    /// The kernel's error for message `index`, told in our terms.
    func error(for index: Int, ack: NetlinkAck) -> NetlinkError {
        let record = records[index]
        return NetlinkError(errno: ack.errno, operation: record.operation.rawValue,
                            object: describe(record, attributeOffset: ack.attributeOffset),
                            kernelMessage: ack.message.flatMap { $0.isEmpty ? nil : $0 })
    }

    private func describe(_ record: MessageRecord, attributeOffset: Int?) -> String {
        switch record.subject {
        case .none:
            return "(\(messageCount) messages)"
        case .table(let table):
            return table.description
        case .chain(let table, let chain):
            return "\(table)/\(chain)"
        case .set(let table, let set):
            return "\(table)/\(set)"
        case .elements(let table, let set, let first, let count, let layout, let sizes):
            var text = "\(table)/\(set)"
            if let offset = attributeOffset,
               let (index, key) = rejectedElement(in: record, at: offset, layout: layout, sizes: sizes) {
                text += " element \(key) (#\(first + index))"
            } else {
                text += " elements #\(first)…#\(first + count - 1)"
            }
            return text
        case .rule(let table, let chain, let comment, let handle):
            var text = "\(table)/\(chain)"
            if let handle { text += " handle \(handle)" }
            if let comment { text += " \"\(comment)\"" }
            if let offset = attributeOffset, let (index, name) = rejectedExpression(in: record, at: offset) {
                text += " expression #\(index) (\(name))"
            }
            return text
        }
    }

    // MARK: reading our own messages back, where the kernel pointed

    /// The netlink attributes between `start` and `end` of a message: (type, value range).
    private func attributes(_ bytes: UnsafeRawPointer, from start: Int, to end: Int) -> [(type: Int, value: Range<Int>, whole: Range<Int>)] {
        var result: [(Int, Range<Int>, Range<Int>)] = []
        var at = start
        while at + 4 <= end {
            let length = Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))
            let type = Int(bytes.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self) & 0x3fff)
            guard length >= 4, at + length <= end else { break }
            result.append((type, (at + 4)..<(at + length), at..<(at + length)))
            at += (length + 3) & ~3
        }
        return result
    }

    private func messageBytes(_ record: MessageRecord) -> (UnsafeRawPointer, Int) {
        let pointer = UnsafeRawPointer(buffer.pointer(page: record.page, offset: record.offset))
        return (pointer, Int(pointer.loadUnaligned(as: UInt32.self)))
    }

    /// Which element of an element list contains the rejected attribute, and its key.
    private func rejectedElement(in record: MessageRecord, at offset: Int, layout: [NFTValue.Kind],
                                 sizes: [Int]) -> (Int, NFTKey)? {
        let (bytes, length) = messageBytes(record)
        let payload = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        guard let list = attributes(bytes, from: payload, to: length)
            .first(where: { $0.type == Int(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue) }) else { return nil }
        let elements = attributes(bytes, from: list.value.lowerBound, to: list.value.upperBound)
        guard let index = elements.firstIndex(where: { $0.whole.contains(offset) }) else { return nil }
        let element = elements[index]
        guard let keyNest = attributes(bytes, from: element.value.lowerBound, to: element.value.upperBound)
                .first(where: { $0.type == Int(NFTA_SET_ELEM_KEY.rawValue) }),
              let value = attributes(bytes, from: keyNest.value.lowerBound, to: keyNest.value.upperBound)
                .first(where: { $0.type == Int(NFTA_DATA_VALUE.rawValue) }),
              let key = NFTKey.decode(UnsafeRawBufferPointer(start: bytes + value.value.lowerBound, count: value.value.count),
                                      layout: layout, sizes: sizes)
        else { return nil }
        return (index, key)
    }

    /// Which expression of a rule contains the rejected attribute, and its name.
    private func rejectedExpression(in record: MessageRecord, at offset: Int) -> (Int, String)? {
        let (bytes, length) = messageBytes(record)
        let payload = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        guard let list = attributes(bytes, from: payload, to: length)
            .first(where: { $0.type == Int(NFTA_RULE_EXPRESSIONS.rawValue) }) else { return nil }
        let expressions = attributes(bytes, from: list.value.lowerBound, to: list.value.upperBound)
        guard let index = expressions.firstIndex(where: { $0.whole.contains(offset) }),
              let name = attributes(bytes, from: expressions[index].value.lowerBound, to: expressions[index].value.upperBound)
                .first(where: { $0.type == Int(NFTA_EXPR_NAME.rawValue) })
        else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(start: bytes + name.value.lowerBound, count: name.value.count)
                            .prefix { $0 != 0 }, as: UTF8.self)
        return (index, text)
    }
}
