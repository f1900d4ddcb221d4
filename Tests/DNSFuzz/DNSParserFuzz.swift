// libFuzzer harness for the DNS wire codec (Sources/DNS/Message), built by scripts/fuzz-dns:
// the codec files and this one are compiled together with swiftc -sanitize=fuzzer,address, so
// there is no module and no import. Any input that parses must survive a write/re-read round
// trip at 512 and 65535 bytes with the invariants below; a violation is a fatalError, which
// libFuzzer records as a crash. Tests/DNSTests/DNSCorpusTests.swift checks the same invariants.

func checkRoundTrip(_ message: DNSMessage, maxSize: Int) {
    let wire = DNSWriter.serialize(message, maxSize: maxSize)
    let again: DNSMessage
    do { again = try DNSParser.parse(wire) } catch {
        fatalError("serialized message (maxSize \(maxSize)) does not re-parse: \(error)")
    }
    guard DNSWriter.serialize(again, maxSize: maxSize) == wire else {
        fatalError("re-serializing the re-parsed message (maxSize \(maxSize)) changed the bytes")
    }
    guard again.id == message.id, again.opcode == message.opcode, again.questions == message.questions,
          again.edns == message.edns, again.responseCode == message.responseCode else {
        fatalError("round trip (maxSize \(maxSize)) changed the header, question or EDNS")
    }
    // Records are kept as a prefix of each section; cutting answers or authority sets TC.
    guard again.answers == Array(message.answers.prefix(again.answers.count)),
          again.authority == Array(message.authority.prefix(again.authority.count)),
          again.additional == Array(message.additional.prefix(again.additional.count)) else {
        fatalError("round trip (maxSize \(maxSize)) changed records")
    }
    if again.answers.count < message.answers.count || again.authority.count < message.authority.count {
        guard again.truncated else { fatalError("records cut (maxSize \(maxSize)) without TC") }
    } else if !message.truncated {
        guard !again.truncated else { fatalError("TC set (maxSize \(maxSize)) with nothing cut") }
    }
    // The size bound holds unless the header, question and OPT alone exceed it.
    if wire.count > maxSize {
        var bare = message
        bare.answers = []
        bare.authority = []
        bare.additional = []
        let minimum = DNSWriter.serialize(bare, maxSize: Int.max).count
        guard minimum > maxSize, again.answers.isEmpty, again.authority.isEmpty, again.additional.isEmpty else {
            fatalError("\(wire.count) bytes written for maxSize \(maxSize) (header+question+OPT: \(minimum))")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func dnsParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message: DNSMessage
    do { message = try DNSParser.parse(bytes) } catch { return 0 }
    checkRoundTrip(message, maxSize: 512)
    checkRoundTrip(message, maxSize: 65535)
    return 0
}
