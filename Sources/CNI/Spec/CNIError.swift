/// A CNI error: what the plugin prints on stdout (with a non-zero exit) when a command fails.
/// Codes 0–99 are the spec's well-known errors; 100+ are this plugin's own.
public struct CNIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var msg: String
    public var details: String?

    public init(code: Int, msg: String, details: String? = nil) {
        self.code = code
        self.msg = msg
        self.details = details
    }

    // Well-known codes (CNI SPEC.md v1.1.0, "Well-known Error Codes").
    public static let incompatibleVersion = 1
    public static let unsupportedField = 2
    public static let unknownContainer = 3
    public static let invalidEnvironment = 4
    public static let ioFailure = 5
    public static let decodeFailure = 6
    public static let invalidConfig = 7
    public static let tryAgainLater = 11
    public static let pluginNotAvailable = 50
    public static let pluginNotAvailableContainersDamaged = 51

    // Skiff's own codes (100+).
    /// Every address of the pool is allocated.
    public static let addressPoolExhausted = 100
    /// The requested address (CNI_ARGS IP=, runtimeConfig.ips) is allocated to another attachment.
    public static let requestedAddressTaken = 101
    /// The requested address lies outside the pool, or is its network, gateway or broadcast address.
    public static let requestedAddressUnavailable = 102
    /// The pod network plumbing (veth, bridge) failed.
    public static let plumbingFailed = 110
    /// CNI_IFNAME is taken in the pod's netns already (the reference plugin says so with 999).
    public static let interfaceNameTaken = 111

    public var description: String {
        details.map { "CNI error \(code): \(msg): \($0)" } ?? "CNI error \(code): \(msg)"
    }
}
