// swift-tools-version:6.1
import PackageDescription
#if canImport(Foundation)
import Foundation
#endif

/// Whether Hyperscan (or Vectorscan, which installs the same `libhs` pkg-config module) is
/// installed: the candidate stage links it when it is, and takes the portable keyword path when
/// it is not (non-x86 machines). `scripts/setup` installs `libhyperscan-dev` on x86-64.
/// `CORGI_NO_HYPERSCAN=1` builds the portable path on a machine that has the library.
let hyperscanFound: Bool = {
    #if canImport(Foundation)
    if ProcessInfo.processInfo.environment["CORGI_NO_HYPERSCAN"] == "1" { return false }
    for directory in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
        let tool = directory + "/pkg-config"
        guard FileManager.default.isExecutableFile(atPath: tool) else { continue }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--exists", "libhs"]
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
    #endif
    return false
}()

/// What libxmlsec1's pkg-config module asks a C target for: its definitions (`-DXMLSEC_CRYPTO_OPENSSL=1`,
/// `-DXMLSEC_NO_SIZE_T`, …, on which its headers and ABI depend), include paths and libraries.
let xmlsec: (c: [CSetting], link: [LinkerSetting]) = {
    #if canImport(Foundation)
    func pkgConfig(_ argument: String) -> [Substring]? {
        for directory in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let tool = directory + "/pkg-config"
            guard FileManager.default.isExecutableFile(atPath: tool) else { continue }
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = [argument, "xmlsec1"]
            process.standardOutput = output
            guard (try? process.run()) != nil else { return nil }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        }
        return nil
    }
    let cflags = pkgConfig("--cflags") ?? [], libs = pkgConfig("--libs") ?? ["-lxmlsec1-openssl", "-lxmlsec1", "-lxml2"]
    let c: [CSetting] = cflags.filter { $0.hasPrefix("-D") }.map { flag in
        let definition = flag.dropFirst(2).split(separator: "=", maxSplits: 1)
        return .define(String(definition[0]), to: definition.count > 1 ? String(definition[1]) : nil)
    } + cflags.filter { $0.hasPrefix("-I") }.map { .unsafeFlags(["-I" + $0.dropFirst(2)]) }
    let link: [LinkerSetting] = libs.filter { $0.hasPrefix("-l") }.map { .linkedLibrary(String($0.dropFirst(2))) } + [.linkedLibrary("z")]
    return (c, link)
    #else
    return ([], [])
    #endif
}()


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
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.0.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.7.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.0.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.25.0"),
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

        // The small C glue over libxmlsec1 and libxml2 from Debian (libxmlsec1-dev) that verifies a
        // SAML assertion's signature (Sources/CSAMLVerify/include/CSAMLVerify.h).
        .target(name: "CSAMLVerify", cSettings: xmlsec.c, linkerSettings: xmlsec.link),

        // Hyperscan/Vectorscan behind a small C surface that compiles with or without the library
        // (see Sources/CHyperscan/include/CHyperscan.h): the scanner's fast candidate stage.
        .target(
            name: "CHyperscan",
            cSettings: hyperscanFound ? [.define("CORGI_HAVE_HYPERSCAN")] : [],
            linkerSettings: hyperscanFound ? [.linkedLibrary("hs")] : []
        ),

        // Detection: rules as data (YAML packs), keyword prefilter, regex, entropy, allowlists,
        // suppressions and baselines.
        .target(
            name: "CorgiDetection",
            dependencies: [
                "CorgiCore",
                "CPCRE2",
                "CHyperscan",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Rules")],
            swiftSettings: swiftSettings
        ),

        // Reports: text, JSON, SARIF 2.1.0 and GitHub Actions annotations.
        .target(name: "CorgiReports", dependencies: ["CorgiCore"], swiftSettings: swiftSettings),

        // Forges: webhook verification, event decoding, API clients (GitHub App first).
        .target(
            name: "CorgiForges",
            dependencies: [
                "CorgiReview",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Review core: the domain (jobs, scans, reconciliation, deliveries, the hash-chained audit
        // log's format), the ports every adapter implements (review store, job queue, object
        // store, audit log, delivery ledger, forge) and the review itself (a state machine run by
        // ReviewRunner, and its formatter). Storage engines, queues, object stores and forges
        // depend on it, never on each other. Crypto is for the audit chain's hashes and seals.
        .target(
            name: "CorgiReview",
            dependencies: [
                "CorgiCore", "CorgiDetection",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Access: who may see and change what — organisations as tenants, roles and the one
        // permission table, API keys (stored as hashes) and the port the API reads through.
        // Detection is for the key format's checksum, shared with the secret pack's rule.
        .target(
            name: "CorgiAccess",
            dependencies: [
                "CorgiCore", "CorgiDetection", "CorgiReview",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // Storage: the SQLite adapter of the review core's store, ledger, queue and audit log.
        .target(
            name: "CorgiStorage",
            dependencies: [
                "CorgiAccess", "CorgiCore", "CorgiReview",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // PostgreSQL: the same storage protocols for the distributed mode, with migrations run by
        // a migration role and an application role that may only INSERT and SELECT the audit log.
        .target(
            name: "CorgiPostgres",
            dependencies: [
                "CorgiAccess",
                "CorgiCore",
                "CorgiReview",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // NATS: a small client for the core protocol and JetStream, on SwiftNIO (no Swift NATS
        // package exists in the mirror).
        .target(
            name: "CorgiNATS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Queue: the JetStream implementation of the job queue protocol.
        .target(
            name: "CorgiQueue",
            dependencies: [
                "CorgiReview", "CorgiNATS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Objects: diffs encrypted at rest (AES-GCM) with an expiry.
        .target(
            name: "CorgiObjects",
            dependencies: [
                "CorgiReview",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // AI review: model providers behind one protocol (the Anthropic Messages API, OpenAI-compatible
        // chat completions) and the redaction every prompt passes before it leaves.
        .target(
            name: "CorgiAI",
            dependencies: [
                "CorgiCore", "CorgiDetection", "CorgiReview",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Dashboard: server-rendered pages over the API and nothing else (it is given the API's
        // responder, never a store), with their own assets, a strict CSP and CSRF tokens.
        .target(
            name: "CorgiDashboard",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Service: configuration and secrets, the webhook gateway, the worker pipeline, the sweeper.
        .target(
            name: "CorgiService",
            dependencies: [
                "CorgiAccess", "CorgiAI", "CorgiCore", "CorgiDashboard", "CorgiDetection", "CorgiForges", "CorgiReports", "CorgiReview", "CorgiStorage", "CorgiObjects",
                "CorgiPostgres", "CorgiNATS", "CorgiQueue", "CSAMLVerify",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),

        // The commit `corgi --version` names, written before each build.
        .plugin(name: "CorgiBuildInfo", capability: .buildTool()),

        .executableTarget(
            name: "corgi",
            dependencies: [
                "CorgiAccess",
                "CorgiAI",
                "CorgiCore",
                "CorgiDetection",
                "CorgiReports",
                "CorgiService",
                "CorgiReview",
                "CorgiStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["CorgiBuildInfo"]
        ),
        .executableTarget(
            name: "corgi-bench",
            dependencies: ["CorgiCore", "CorgiDetection"],
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
        .testTarget(
            name: "CorgiForgesTests",
            dependencies: ["CorgiForges"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiReviewTests",
            dependencies: [
                "CorgiCore", "CorgiDetection", "CorgiReview",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiServiceTests",
            dependencies: [
                "CorgiAccess", "CorgiCore", "CorgiForges", "CorgiReview", "CorgiService", "CorgiStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiDashboardTests",
            dependencies: [
                "CorgiDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiAITests",
            dependencies: [
                "CorgiAI", "CorgiCore", "CorgiDetection", "CorgiReview",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiAccessTests",
            dependencies: ["CorgiAccess", "CorgiCore", "CorgiDetection"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiStorageTests",
            dependencies: [
                "CorgiAccess", "CorgiCore", "CorgiReview", "CorgiStorage", "CorgiPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiNATSTests",
            dependencies: [
                "CorgiNATS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiQueueTests",
            dependencies: [
                "CorgiQueue", "CorgiNATS", "CorgiReview",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorgiObjectsTests",
            dependencies: [
                "CorgiObjects", "CorgiReview",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
