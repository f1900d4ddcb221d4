import Foundation

/// metav1.Time and metav1.MicroTime as they are written on the wire: RFC 3339 in UTC, with
/// whole seconds or with microseconds.
public enum KubeTime {
    /// Hand-rolled: a Foundation date formatter per call was a quarter of the API server's
    /// create path. Saturates at year 9999 so no client-supplied duration can trap.
    public static func format(_ date: Date = Date()) -> Time {
        var seconds = time_t(min(max(date.timeIntervalSince1970.rounded(.down), 0), 253_402_300_799))
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    }

    public static func formatMicro(_ date: Date = Date()) -> MicroTime {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micros = Int((date.timeIntervalSince1970 - whole) * 1_000_000)
        return String(format(date).dropLast()) + String(format: ".%06dZ", micros)
    }

    /// Either form; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
