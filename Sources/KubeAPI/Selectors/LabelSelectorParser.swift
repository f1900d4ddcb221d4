// The lexer and recursive-descent parser of upstream's labels.Parse, reproduced token
// for token so that accepted inputs, results and error messages are the same.
//
//  <selector-syntax>         ::= <requirement> | <requirement> "," <selector-syntax>
//  <requirement>             ::= [!] KEY [ <set-based-restriction> | <exact-match-restriction> ]
//  <set-based-restriction>   ::= "" | <inclusion-exclusion> <value-set>
//  <inclusion-exclusion>     ::= "in" | "notin"
//  <value-set>               ::= "(" <values> ")"
//  <values>                  ::= VALUE | VALUE "," <values>
//  <exact-match-restriction> ::= ["="|"=="|"!="|">"|"<"] VALUE

struct LabelSelectorParser {
    enum Token: Equatable {
        case error, endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan
        case identifier, isIn, lessThan, notEquals, notIn, openPar
    }

    struct Item {
        var token: Token
        var literal: String
    }

    private enum Context { case keyAndOperator, values }

    private static let literalTokens: [String: Token] = [
        ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals,
        ">": .greaterThan, "in": .isIn, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
    ]

    /// Upstream's binaryOperators, in its order, for the "expected:" message.
    private static let binaryOperatorNames = ["in", "notin", "=", "==", "!=", "gt", "lt"]

    private var items: [Item] = []
    private var position = 0

    init(_ input: String) {
        items = LabelSelectorParser.scan(Array(input.utf8))
    }

    // MARK: lexer

    private static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    private static func isSpecialSymbol(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
             UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    private static func scan(_ s: [UInt8]) -> [Item] {
        var pos = 0
        var out: [Item] = []
        func read() -> UInt8 {
            if pos < s.count {
                defer { pos += 1 }
                return s[pos]
            }
            return 0
        }
        while true {
            var ch = read()
            while isWhitespace(ch) { ch = read() }
            let item: Item
            if ch == 0 {
                item = Item(token: .endOfString, literal: "")
            } else if isSpecialSymbol(ch) {
                pos -= 1
                // scanSpecialSymbol: longest run of special symbols that forms a known token.
                var buffer: [UInt8] = []
                var last: Item?
                while true {
                    let c = read()
                    if c == 0 { break }
                    if isSpecialSymbol(c) {
                        buffer.append(c)
                        let text = String(decoding: buffer, as: UTF8.self)
                        if let t = literalTokens[text] {
                            last = Item(token: t, literal: text)
                        } else if last != nil {
                            pos -= 1
                            break
                        }
                    } else {
                        pos -= 1
                        break
                    }
                }
                item = last ?? Item(token: .error,
                    literal: "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'")
            } else {
                pos -= 1
                // scanIDOrKeyword
                var buffer: [UInt8] = []
                while true {
                    let c = read()
                    if c == 0 { break }
                    if isSpecialSymbol(c) || isWhitespace(c) {
                        pos -= 1
                        break
                    }
                    buffer.append(c)
                }
                let text = String(decoding: buffer, as: UTF8.self)
                item = Item(token: literalTokens[text] ?? .identifier, literal: text)
            }
            out.append(item)
            if item.token == .endOfString { return out }
        }
    }

    // MARK: parser

    private func lookahead(_ context: Context) -> (Token, String) {
        let item = items[min(position, items.count - 1)]
        return (adjust(item.token, context), item.literal)
    }

    private mutating func consume(_ context: Context) -> (Token, String) {
        let item = items[min(position, items.count - 1)]
        position += 1
        return (adjust(item.token, context), item.literal)
    }

    private func adjust(_ t: Token, _ context: Context) -> Token {
        if context == .values && (t == .isIn || t == .notIn) { return .identifier }
        return t
    }

    mutating func parse() throws -> [LabelSelectorQuery.Requirement] {
        var requirements: [LabelSelectorQuery.Requirement] = []
        while true {
            let (tok, lit) = lookahead(.values)
            switch tok {
            case .identifier, .doesNotExist:
                let r: LabelSelectorQuery.Requirement
                do {
                    r = try parseRequirement()
                } catch let e as SelectorQueryError {
                    throw SelectorQueryError("unable to parse requirement: " + e.message)
                }
                requirements.append(r)
                let (t, l) = consume(.values)
                switch t {
                case .endOfString:
                    return requirements
                case .comma:
                    let (t2, l2) = lookahead(.values)
                    if t2 != .identifier && t2 != .doesNotExist {
                        throw SelectorQueryError("found '\(l2)', expected: identifier after ','")
                    }
                default:
                    throw SelectorQueryError("found '\(l)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw SelectorQueryError("found '\(lit)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws -> LabelSelectorQuery.Requirement {
        let (key, inferred) = try parseKeyAndInferOperator()
        if inferred == .exists || inferred == .doesNotExist {
            return try LabelSelectorQuery.Requirement(validatingKey: key, op: inferred!, values: [], valuesWereNil: false)
        }
        let op = try parseOperator()
        let values: [String]
        switch op {
        case .isIn, .notIn:
            values = try parseValues()
        default:
            values = try parseExactValue()
        }
        return try LabelSelectorQuery.Requirement(validatingKey: key, op: op, values: values, valuesWereNil: false)
    }

    private mutating func parseKeyAndInferOperator() throws -> (String, LabelSelectorQuery.Operator?) {
        var op: LabelSelectorQuery.Operator?
        var (tok, literal) = consume(.values)
        if tok == .doesNotExist {
            op = .doesNotExist
            (tok, literal) = consume(.values)
        }
        guard tok == .identifier else { throw SelectorQueryError("found '\(literal)', expected: identifier") }
        let keyErrs = SelectorValidation.labelKeyErrors(literal)
        if !keyErrs.isEmpty {
            // Upstream validates here with the parser's (nil) field path, printed as "<nil>".
            throw SelectorQueryError(SelectorFieldInvalidError(path: "<nil>", value: .string(literal),
                detail: keyErrs.joined(separator: "; ")).message)
        }
        let (t, _) = lookahead(.values)
        if (t == .endOfString || t == .comma) && op != .doesNotExist { op = .exists }
        return (literal, op)
    }

    private mutating func parseOperator() throws -> LabelSelectorQuery.Operator {
        let (tok, lit) = consume(.keyAndOperator)
        switch tok {
        case .isIn: return .isIn
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default:
            throw SelectorQueryError("found '\(lit)', expected: "
                + LabelSelectorParser.binaryOperatorNames.joined(separator: ", "))
        }
    }

    /// `(x,y,z)`: returns the sorted, de-duplicated set (sets.String.List()).
    private mutating func parseValues() throws -> [String] {
        var (tok, lit) = consume(.values)
        guard tok == .openPar else { throw SelectorQueryError("found '\(lit)' expected: '('") }
        (tok, lit) = lookahead(.values)
        switch tok {
        case .identifier, .comma:
            let s = try parseIdentifiersList()
            let (closing, _) = consume(.values)
            if closing != .closedPar { throw SelectorQueryError("found '\(lit)', expected: ')'") }
            return s
        case .closedPar:
            _ = consume(.values)
            return [""]
        default:
            throw SelectorQueryError("found '\(lit)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifiersList() throws -> [String] {
        var set = Set<String>()
        func list() -> [String] { set.sorted(by: selectorGoLess) }
        while true {
            let (tok, lit) = consume(.values)
            switch tok {
            case .identifier:
                set.insert(lit)
                let (tok2, lit2) = lookahead(.values)
                switch tok2 {
                case .comma: continue
                case .closedPar: return list()
                default: throw SelectorQueryError("found '\(lit2)', expected: ',' or ')'")
                }
            case .comma:
                if set.isEmpty { set.insert("") }  // "(,"
                let (tok2, _) = lookahead(.values)
                if tok2 == .closedPar {
                    set.insert("")  // ",)"
                    return list()
                }
                if tok2 == .comma { set.insert("") }  // ",,"
            default:
                throw SelectorQueryError("found '\(lit)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws -> [String] {
        let (t, _) = lookahead(.values)
        if t == .endOfString || t == .comma { return [""] }
        let (tok, lit) = consume(.values)
        if tok == .identifier { return [lit] }
        throw SelectorQueryError("found '\(lit)', expected: identifier")
    }
}
