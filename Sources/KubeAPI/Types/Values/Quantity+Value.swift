/// The number a Quantity stands for, as upstream's `resource.Quantity` (`MilliValue`,
/// `Value`): decimal (`m`, `k`, `M`, `G`, …, `e3`) and binary (`Ki`, `Mi`, …) suffixes,
/// fractions rounded up, nil for what is not a quantity or does not fit 64 bits.
extension Quantity {
    /// In thousandths, rounded up (CPU: `100m` → 100, `0.5` → 500, `2` → 2000).
    public var milliValue: Int64? { scaled(decimalExponent: 3) }

    /// In units, rounded up (memory: `64Mi` → 67108864, `1G` → 1000000000).
    public var value: Int64? { scaled(decimalExponent: 0) }

    private static let binarySuffixes: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
    private static let decimalSuffixes: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]

    private func scaled(decimalExponent extra: Int) -> Int64? {
        var text = Substring(string.trimmingSpaces)
        var negative = false
        if let sign = text.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        let digitsEnd = text.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? text.endIndex
        let number = text[..<digitsEnd]
        let suffix = String(text[digitsEnd...])
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard !number.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }),
              parts.contains(where: { !$0.isEmpty }) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        var mantissa: Int64 = 0
        for d in (parts[0] + fraction).compactMap(\.wholeNumberValue) {
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            mantissa = m2
        }
        var exponent10 = extra - fraction.count
        var binaryPower = 0
        if let p = Self.binarySuffixes[suffix] {
            binaryPower = p
        } else if let e = Self.decimalSuffixes[suffix] {
            exponent10 += e
        } else if let first = suffix.first, first == "e" || first == "E", let e = Int(suffix.dropFirst()) {
            exponent10 += e
        } else {
            return nil
        }
        var result = mantissa
        for _ in 0..<binaryPower {
            let (r, o) = result.multipliedReportingOverflow(by: 1024)
            guard !o else { return nil }
            result = r
        }
        if exponent10 >= 0 {
            for _ in 0..<exponent10 {
                let (r, o) = result.multipliedReportingOverflow(by: 10)
                guard !o else { return nil }
                result = r
            }
        } else {
            var divisor: Int64 = 1
            for _ in 0..<(-exponent10) {
                guard divisor <= Int64.max / 10 else { return result == 0 ? 0 : 1 }
                divisor *= 10
            }
            result = result / divisor + (result % divisor == 0 ? 0 : 1)   // rounded up, as upstream
        }
        return negative ? -result : result
    }
}

private extension String {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
