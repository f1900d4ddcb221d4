import DNS
import Foundation
import XCTest

/// Runs every file of Tests/DNSTests/Corpus (the fuzzer's seed corpus, plus regressions) through
/// the parser with the invariants of the fuzz harness (Tests/DNSFuzz/DNSParserFuzz.swift):
/// `bad-*` files must be rejected with a DNSWireError, `fuzz-*` files (merged by
/// `scripts/fuzz-dns --merge`) may go either way, and every other file must parse.
final class DNSCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    func testCorpus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 30, "the corpus at \(Self.corpus.path) is missing or nearly empty")
        var parsed = 0, rejected = 0
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(file)))
            let message: DNSMessage
            do {
                message = try DNSParser.parse(bytes)
            } catch {
                rejected += 1
                XCTAssertTrue(file.hasPrefix("bad-") || file.hasPrefix("fuzz-"), "\(file) was rejected: \(error)")
                continue
            }
            parsed += 1
            XCTAssertFalse(file.hasPrefix("bad-"), "\(file) parsed but is meant to be rejected")
            for maxSize in [512, 65535] { checkRoundTrip(message, maxSize: maxSize, file: file) }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertGreaterThan(rejected, 0)
    }

    func checkRoundTrip(_ message: DNSMessage, maxSize: Int, file: String) {
        let context = "\(file) at maxSize \(maxSize)"
        let wire = DNSWriter.serialize(message, maxSize: maxSize)
        let again: DNSMessage
        do { again = try DNSParser.parse(wire) } catch {
            return XCTFail("\(context): the serialized message does not re-parse: \(error)")
        }
        XCTAssertEqual(DNSWriter.serialize(again, maxSize: maxSize), wire, "\(context): re-serializing changed the bytes")
        XCTAssertEqual(again.id, message.id, context)
        XCTAssertEqual(again.opcode, message.opcode, context)
        XCTAssertEqual(again.questions, message.questions, context)
        XCTAssertEqual(again.edns, message.edns, context)
        XCTAssertEqual(again.responseCode, message.responseCode, context)
        XCTAssertEqual(again.answers, Array(message.answers.prefix(again.answers.count)), context)
        XCTAssertEqual(again.authority, Array(message.authority.prefix(again.authority.count)), context)
        XCTAssertEqual(again.additional, Array(message.additional.prefix(again.additional.count)), context)
        if again.answers.count < message.answers.count || again.authority.count < message.authority.count {
            XCTAssertTrue(again.truncated, "\(context): records cut without TC")
        } else if !message.truncated {
            XCTAssertFalse(again.truncated, "\(context): TC set with nothing cut")
        }
        if wire.count > maxSize {
            var bare = message
            bare.answers = []
            bare.authority = []
            bare.additional = []
            let minimum = DNSWriter.serialize(bare, maxSize: Int.max).count
            XCTAssertGreaterThan(minimum, maxSize, "\(context): \(wire.count) bytes written")
            XCTAssertTrue(again.answers.isEmpty && again.authority.isEmpty && again.additional.isEmpty, context)
        }
    }
}
