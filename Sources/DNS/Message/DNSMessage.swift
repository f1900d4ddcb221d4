/// A DNS message (RFC 1035 §4.1) with its EDNS(0) OPT pseudo-record lifted out (RFC 6891).
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool
    /// The full response code: the header's 4 bits plus, with EDNS, the OPT's upper 8.
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    public var additional: [DNSRecord]
    public var edns: EDNS?

    public static let opcodeQuery: UInt8 = 0

    public init(id: UInt16 = 0, isResponse: Bool = false, opcode: UInt8 = 0, authoritative: Bool = false,
                truncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: DNSResponseCode = .noError,
                questions: [DNSQuestion] = [], answers: [DNSRecord] = [], authority: [DNSRecord] = [],
                additional: [DNSRecord] = [], edns: EDNS? = nil) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.authoritative = authoritative
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// EDNS(0): the OPT record's fields.
    public struct EDNS: Sendable, Hashable {
        /// The requestor's UDP payload size (values under 512 are treated as 512).
        public var udpPayloadSize: UInt16
        public var version: UInt8
        public var dnssecOK: Bool
        /// Options as (code, data), kept as sent.
        public var options: [EDNSOption]

        public init(udpPayloadSize: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false, options: [EDNSOption] = []) {
            self.udpPayloadSize = udpPayloadSize
            self.version = version
            self.dnssecOK = dnssecOK
            self.options = options
        }
    }

    public struct EDNSOption: Sendable, Hashable {
        public var code: UInt16
        public var data: [UInt8]
        public init(code: UInt16, data: [UInt8]) {
            self.code = code
            self.data = data
        }
    }

    /// The response skeleton for this query: same id, opcode, RD and question, QR set.
    public func response(code: DNSResponseCode = .noError) -> DNSMessage {
        DNSMessage(id: id, isResponse: true, opcode: opcode, recursionDesired: recursionDesired,
                   checkingDisabled: checkingDisabled, responseCode: code, questions: questions)
    }
}
