// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
        .executable(name: "skiff-cni", targets: ["skiff-cni"]),
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
        .library(name: "Netlink", targets: ["Netlink"]),
        .library(name: "ProxyDataplane", targets: ["ProxyDataplane"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // SQLite's C API, from Debian's libsqlite3-dev.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // libnftnl + libmnl, from Debian's libnftnl-dev and libmnl-dev.
        .systemLibrary(name: "CNetfilter", path: "Sources/CNetfilter", pkgConfig: "libnftnl",
                       providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),
        // zlib, from Debian's zlib1g-dev: SPDY's header compression (port-forward).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The netlink foundation: nf_tables batches (and later rtnetlink, ctnetlink) over libmnl.
        .target(name: "Netlink", dependencies: ["CNetfilter"]),
        // The JSON value tree with its parser and serializer; no Foundation, so the CNI plugin can use it.
        .target(name: "SkiffJSON"),
        // API types, JSON/YAML codec, client and informer: what every component consumes.
        .target(name: "KubeAPI", dependencies: [
            "SkiffJSON",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // The service proxy: Services + EndpointSlices → nftables, over the netlink foundation.
        // The plain-HTTP /metrics and health listener the daemons share.
        .target(name: "StatusServer", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "ProxyDataplane", dependencies: [
            "KubeAPI", "Netlink", "StatusServer",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // API server, storage, allocators (scheduler and controllers arrive later).
        .target(name: "ControlPlane", dependencies: [
            "KubeAPI", "CSQLite", "Netlink",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "skiff", dependencies: [
            "KubeAPI", "ControlPlane", "ProxyDataplane", "Netlink", "Overlay", "CNI", "DNS", "NodeAgent",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ],
        // The Swift runtime and Foundation linked in: no dozen shared libraries to map and
        // relocate at every start, and 5 MiB less resident for a daemon (`skiff dns` at 10k
        // Services: VmHWM 63 → 58 MiB). The static Foundation archives do not name their own
        // dependencies, hence the libraries after the flag.
        // lld with packed relative relocations (as skiff-cni) and no exported symbols: the
        // loader no longer reads a 3 MiB relocation table and a 4 MiB dynamic symbol table, and
        // unexported code is garbage-collected by the linker (`skiff proxy` at 10k Services:
        // VmHWM 105 → 99 MiB, bench/proxy-memory.py).
        linkerSettings: [
            .unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                          "-Xlinker", "--no-export-dynamic"]),
            .linkedLibrary("CoreFoundation"), .linkedLibrary("_FoundationICU"), .linkedLibrary("_FoundationCollections"),
            .linkedLibrary("_FoundationCShims"), .linkedLibrary("stdc++"),
        ]),
        // The benchmarks (bench/run-api, bench/run-proxy): skiff and its peer side by side.
        .executableTarget(name: "skiff-bench", dependencies: [
            "KubeAPI", "ProxyDataplane", "Netlink",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "bench/skiff-bench"),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI"]),
        // The pod network: the CNI spec layer and IPAM (Foundation-free: skiff-cni is exec'ed per pod).
        .target(name: "CNI", dependencies: ["Netlink", "SkiffJSON"], exclude: ["Overlay"]),
        // The VXLAN overlay (flannel's vxlan backend over rtnetlink), driven by the Node informer.
        // Its own target under Sources/CNI so that skiff-cni stays free of KubeAPI and Foundation.
        .target(name: "Overlay", dependencies: [
            "Netlink", "KubeAPI", "CNI",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/CNI/Overlay"),
        // Cluster DNS: the wire format, cluster records, forwarding and the server.
        // The node agent (kubelet's place): Node registration, Lease heartbeat, status.
        .target(name: "NodeAgent", dependencies: [
            "KubeAPI", "SkiffJSON", "Netlink", "CZlib",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "DNS", dependencies: [
            "KubeAPI", "Netlink", "StatusServer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "KubeAPI"], exclude: ["Corpus"]),
        // The CNI plugin executable; Glibc only, no Foundation, so it starts quickly.
        // The Swift runtime is linked in: a runtime execs the plugin per pod, and resolving a
        // dozen shared libraries at each start is most of its start-up cost (bench/cni-latency.py).
        // Linked by lld with packed relative relocations (DT_RELR, glibc ≥ 2.36): the loader
        // applies the position-independent binary's 20k relocations from a 3 KiB bitmap instead
        // of a 460 KiB table: ADD median 0.59× → 0.55× of the reference (means of four runs each,
        // bench/cni-latency.py), keeping PIE (`-no-pie` measured about the same gain).
        .executableTarget(name: "skiff-cni", dependencies: ["CNI"], linkerSettings: [
            .unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"]),
        ]),
        // Helpers the dataplane tests share (running ip/nft/curl).
        .target(name: "SkiffTestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "SkiffTestSupport"]),
        .testTarget(name: "ProxyDataplaneTests", dependencies: ["ProxyDataplane", "KubeAPI", "Netlink", "SkiffTestSupport"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "KubeAPI", "Netlink", "SkiffTestSupport"]),
        .testTarget(name: "NodeAgentTests", dependencies: ["NodeAgent", "KubeAPI", "CZlib", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "SkiffTestSupport"]),
        .testTarget(name: "OverlayTests", dependencies: ["Overlay", "Netlink", "KubeAPI", "SkiffTestSupport"]),
    ]
)
