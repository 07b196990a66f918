// swift-tools-version:6.1
import PackageDescription

// Keep dependencies explicit, as hummingbird does: imports are internal unless a
// public API really exposes the imported module.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CodeCorgi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "corgi", targets: ["corgi"]),
        .executable(name: "corgi-bench", targets: ["corgi-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        // Core: the diff model and streaming parser, findings, severities, redaction.
        // Pure Swift with no dependencies, so the fuzzer can compile it on its own.
        .target(name: "CorgiCore", swiftSettings: swiftSettings),

        // PCRE2 (8-bit, JIT) from Debian's libpcre2-dev: the regex engine chosen by measurement
        // (see docs/regex-engines.md).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),

        // Detection: rules as data (YAML packs), keyword prefilter, regex, entropy, allowlists,
        // suppressions and baselines.
        .target(
            name: "CorgiDetection",
            dependencies: [
                "CorgiCore",
                "CPCRE2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Rules")],
            swiftSettings: swiftSettings
        ),

        // Reports: text, JSON, SARIF 2.1.0 and GitHub Actions annotations.
        .target(name: "CorgiReports", dependencies: ["CorgiCore"], swiftSettings: swiftSettings),

        .executableTarget(
            name: "corgi",
            dependencies: [
                "CorgiCore",
                "CorgiDetection",
                "CorgiReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "corgi-bench",
            dependencies: ["CorgiCore", "CorgiDetection", "CPCRE2"],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "CorgiCoreTests", dependencies: ["CorgiCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CorgiDetectionTests",
            dependencies: ["CorgiCore", "CorgiDetection"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiReportsTests",
            dependencies: ["CorgiCore", "CorgiReports"],
            swiftSettings: swiftSettings
        ),
    ]
)
