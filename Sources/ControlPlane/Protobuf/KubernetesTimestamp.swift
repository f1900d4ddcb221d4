extension KubernetesProtobuf {
    /// `metav1.Time` / `metav1.MicroTime` between their protobuf form (Unix seconds and nanos)
    /// and their JSON form (RFC 3339 in UTC).
    ///
    /// Done with integer calendar arithmetic rather than Foundation's formatters: the result is
    /// exact for every year 0001–9999 and does not depend on the host's locale or time zone.
    enum KubernetesTimestamp {
        /// `2024-01-02T03:04:05Z`, or with `microseconds` `2024-01-02T03:04:05.123456Z` (the
        /// MicroTime layout, whose fraction Go truncates, never rounds).
        static func format(seconds: Int64, nanos: Int32, microseconds: Bool) -> String {
            let days = floorDivide(seconds, 86_400)
            let secondOfDay = seconds - days * 86_400
            let (year, month, day) = civil(fromDays: days)
            var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
            if microseconds {
                text += "." + pad(Int64(max(0, nanos)) / 1000, 6)
            }
            return text + "Z"
        }

        /// Parses RFC 3339 (`Z` or a `±hh:mm` offset, optional fraction) into Unix seconds and nanos.
        static func parse(_ text: String) -> (seconds: Int64, nanos: Int32)? {
            let b = Array(text.utf8)
            guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
                  b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
                  b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
                  let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
                  let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
                  (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
            else { return nil }
            var i = 19
            var nanos: Int64 = 0
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var scale: Int64 = 100_000_000
                let start = i
                while i < b.count, let digit = digitValue(b[i]) {
                    nanos += digit * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
            guard i < b.count else { return nil }
            var offset: Int64 = 0
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard b.count - i == 6, b[i + 3] == UInt8(ascii: ":"),
                      let oh = digits(b, i + 1, 2), let om = digits(b, i + 4, 2) else { return nil }
                offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
                i += 6
            default:
                return nil
            }
            guard i == b.count else { return nil }
            let days = days(fromCivil: year, month, day)
            return (days * 86_400 + hour * 3600 + minute * 60 + second - offset, Int32(nanos))
        }

        // Howard Hinnant's days_from_civil / civil_from_days, proleptic Gregorian calendar.
        private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
            let z = z0 + 719_468
            let era = floorDivide(z, 146_097)
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let day = doy - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
        }

        private static func days(fromCivil y0: Int64, _ month: Int64, _ day: Int64) -> Int64 {
            let y = month <= 2 ? y0 - 1 : y0
            let era = floorDivide(y, 400)
            let yoe = y - era * 400
            let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }

        private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
            let q = a / b
            return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
        }

        private static func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }

        private static func digitValue(_ byte: UInt8) -> Int64? {
            byte >= 0x30 && byte <= 0x39 ? Int64(byte - 0x30) : nil
        }

        private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for i in start..<(start + count) {
                guard let digit = digitValue(b[i]) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}
