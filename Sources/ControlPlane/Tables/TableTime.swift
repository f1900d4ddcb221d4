import Foundation

#if !STANDALONE_CHECK
import KubeAPI
#endif

extension TablePrinter {
    /// k8s.io/apimachinery/pkg/util/duration.HumanDuration: a succinct duration with
    /// ~2-3 significant figures ("5s", "119s", "3m2s", "10m", "7h5m", "2d3h", "400d", "3y20d").
    /// Up to 2s in the future reads "0s" (clock skew); further is "<invalid>".
    public static func humanDuration(nanoseconds d: Int64) -> String {
        let nsPerSecond: Int64 = 1_000_000_000
        let nsPerMinute = 60 * nsPerSecond
        let nsPerHour = 60 * nsPerMinute
        // int(d.Seconds()) truncates toward zero.
        let seconds = d / nsPerSecond
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 || (seconds == 0 && d < 0) { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = d / nsPerMinute
        if minutes < 10 {
            let s = (d / nsPerSecond) % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = d / nsPerHour
        if hours < 8 {
            let m = (d / nsPerMinute) % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// HumanDuration of a TimeInterval (seconds).
    public static func humanDuration(seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "<invalid>" }
        let ns = (seconds * 1e9).rounded(.towardZero)
        if ns >= 9.2e18 { return humanDuration(nanoseconds: Int64.max) }
        if ns <= -9.2e18 { return humanDuration(nanoseconds: Int64.min) }
        return humanDuration(nanoseconds: Int64(ns))
    }

    /// translateTimestampSince: HumanDuration from an RFC 3339 timestamp (metav1.Time or
    /// MicroTime) to `now`, or `<unknown>` when the timestamp is absent, null or unparsable.
    public static func age(of timestamp: JSONValue?, now: Date) -> String {
        guard let t = TableTimestamp(timestamp) else { return "<unknown>" }
        return humanDuration(nanoseconds: t.nanoseconds(until: now))
    }
}

/// An RFC 3339 timestamp as metav1.Time / metav1.MicroTime carry it, kept as whole seconds
/// since the Unix epoch plus nanoseconds (Go's time.Time precision).
struct TableTimestamp: Comparable {
    var seconds: Int64
    var nanos: Int64

    /// Go's zero time.Time (0001-01-01T00:00:00Z), which "IsZero".
    static let zero = TableTimestamp(seconds: -62_135_596_800, nanos: 0)

    init(seconds: Int64, nanos: Int64) {
        self.seconds = seconds
        self.nanos = nanos
    }

    init?(_ value: JSONValue?) {
        guard let s = value?.stringValue, let t = TableTimestamp.parse(s), !t.isZero else { return nil }
        self = t
    }

    var isZero: Bool { self == TableTimestamp.zero }

    static func < (a: TableTimestamp, b: TableTimestamp) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos
    }

    /// now − self, in nanoseconds (saturating).
    func nanoseconds(until now: Date) -> Int64 {
        let nowSeconds = now.timeIntervalSince1970
        let whole = nowSeconds.rounded(.down)
        let nowNanos = Int64(((nowSeconds - whole) * 1e9).rounded())
        guard whole.magnitude < 9e15 else { return whole > 0 ? Int64.max : Int64.min }
        let ds = Int64(whole) - seconds
        let (mul, overflow) = ds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return ds > 0 ? Int64.max : Int64.min }
        let (sum, overflow2) = mul.addingReportingOverflow(nowNanos - nanos)
        if overflow2 { return ds > 0 ? Int64.max : Int64.min }
        return sum
    }

    /// time.Time.UTC().Format(time.RFC3339): `2006-01-02T15:04:05Z`.
    var rfc3339: String {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let secOfDay = seconds - days * 86_400
        let (y, m, d) = TableTimestamp.civil(fromDays: days)
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (also accepts `t`/`z` and a space separator).
    static func parse(_ s: String) -> TableTimestamp? {
        let b = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ chars: [UInt8]) -> Bool {
            guard i < b.count, chars.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect([0x2D]), let month = digits(2), expect([0x2D]), let day = digits(2),
              expect([0x54, 0x74, 0x20]), let hour = digits(2), expect([0x3A]), let minute = digits(2),
              expect([0x3A]), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var nanos: Int64 = 0
        if i < b.count && (b[i] == 0x2E || b[i] == 0x2C) {
            i += 1
            var scale: Int64 = 100_000_000
            var count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if scale > 0 {
                    nanos += Int64(b[i] - 0x30) * scale
                    scale /= 10
                }
                i += 1
                count += 1
            }
            if count == 0 { return nil }
        }
        var offset: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            let sign: Int64 = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2), expect([0x3A]), let om = digits(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return TableTimestamp(seconds: secs, nanos: nanos)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
