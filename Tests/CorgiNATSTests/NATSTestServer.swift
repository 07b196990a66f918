import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the nats-server binary is, and whether tests that need it run.
enum NATSServerBinary {
    /// CORGI_NATS_SERVER names another binary (or a missing one, to check the skip/fail behaviour).
    static let path: String? = {
        if let override = ProcessInfo.processInfo.environment["CORGI_NATS_SERVER"] {
            return FileManager.default.isExecutableFile(atPath: override) ? override : nil
        }
        let candidates = ["/usr/sbin/nats-server"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/nats-server" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// With CORGI_REQUIRE_SERVERS=1 a missing binary fails the tests instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["CORGI_REQUIRE_SERVERS"] == "1"
    static let shouldRun = path != nil || required
}

extension Trait where Self == ConditionTrait {
    static var requiresNATSServer: Self {
        .enabled(if: NATSServerBinary.shouldRun, "nats-server is not installed (CORGI_REQUIRE_SERVERS=1 turns this into a failure)")
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One nats-server process on a free loopback port, with its config, store and log in a temporary
/// directory. Output goes to a log file, never a pipe.
actor NATSTestServer {
    let directory: URL
    private(set) var port = 0
    private(set) var monitorPort = 0
    private let extraConfig: String
    private let jetStream: Bool
    private var process: Process?

    var url: String { "nats://127.0.0.1:\(port)" }
    var logFile: URL { directory.appendingPathComponent("nats-server.log") }

    private init(directory: URL, extraConfig: String, jetStream: Bool) {
        self.directory = directory
        self.extraConfig = extraConfig
        self.jetStream = jetStream
    }

    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("corgi-nats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// `extraConfig` is appended to the config file (authorization, tls blocks).
    static func start(extraConfig: String = "", jetStream: Bool = false, directory: URL? = nil) async throws -> NATSTestServer {
        guard NATSServerBinary.path != nil else {
            throw TestSetupError("CORGI_REQUIRE_SERVERS=1 but nats-server was not found at /usr/sbin/nats-server or on PATH")
        }
        let server = NATSTestServer(directory: try directory ?? makeDirectory(), extraConfig: extraConfig, jetStream: jetStream)
        do {
            try await server.launch(reusePorts: false)
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Starts the server on the same ports with the same store, e.g. after `stop()`.
    func restart() async throws {
        try await launch(reusePorts: true)
    }

    private func launch(reusePorts: Bool) async throws {
        var lastError: any Error = TestSetupError("nats-server did not start")
        // A port picked as free can be taken by a parallel test before the server binds it: retry.
        for _ in 0..<(reusePorts ? 1 : 4) {
            if !reusePorts {
                port = try Self.freePort()
                monitorPort = try Self.freePort()
            }
            try writeConfig()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: NATSServerBinary.path!)
            process.arguments = ["-c", directory.appendingPathComponent("nats.conf").path]
            if !FileManager.default.fileExists(atPath: logFile.path) {
                _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            }
            let log = try FileHandle(forWritingTo: logFile)
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? log.close()
            self.process = process
            do {
                try await waitUntilReady(process)
                return
            } catch {
                lastError = error
                await stopProcess()
            }
        }
        throw lastError
    }

    private func writeConfig() throws {
        var config = """
            listen: "127.0.0.1:\(port)"
            http: "127.0.0.1:\(monitorPort)"
            server_name: "corgi_test_\(port)"

            """
        if jetStream {
            config += """
                jetstream {
                  store_dir: "\(directory.appendingPathComponent("jetstream").path)"
                  max_memory_store: 64MB
                  max_file_store: 256MB
                }

                """
        }
        config += extraConfig
        try config.write(to: directory.appendingPathComponent("nats.conf"), atomically: true, encoding: .utf8)
    }

    /// Polls `/healthz` (with JetStream, until JetStream is up) with a deadline; no fixed sleeps.
    private func waitUntilReady(_ process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        let path = jetStream ? "/healthz?js-enabled-only=true" : "/healthz"
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw TestSetupError("nats-server exited during start-up; log: \(tailOfLog())")
            }
            if Self.httpGetStatus(port: monitorPort, path: path) == 200, Self.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestSetupError("nats-server was not ready within 15 s; log: \(tailOfLog())")
    }

    /// Terminates the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit.
    func stopProcess() async {
        guard let process else { return }
        self.process = nil
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            // Sleep even if the test was cancelled, so the wait stays a wait.
            if (try? await Task.sleep(for: .milliseconds(20))) == nil { usleep(20_000) }
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { usleep(10_000) }
        }
    }

    /// Sends a signal to the server process (SIGSTOP/SIGCONT to make it hang and resume).
    func signal(_ number: Int32) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, number)
    }

    /// Stops the server and removes its directory.
    func stop() async {
        await stopProcess()
        try? FileManager.default.removeItem(at: directory)
    }

    func tailOfLog() -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return String(text.suffix(1500))
    }

    // MARK: Sockets

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestSetupError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A connected socket with 1 s send/receive timeouts, or nil.
    static func connectedSocket(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func canConnect(port: Int) -> Bool {
        guard let fd = connectedSocket(port: port) else { return false }
        close(fd)
        return true
    }

    /// The status code of a plain HTTP/1.0 GET on loopback, or nil.
    static func httpGetStatus(port: Int, path: String) -> Int? {
        guard let fd = connectedSocket(port: port) else { return nil }
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while response.count < 4096 {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            response += chunk[0..<count]
            if response.contains(UInt8(ascii: "\n")) { break }
        }
        let statusLine = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}

/// Runs `body` against a fresh server and always stops it, also when `body` throws.
@discardableResult
func withNATSServer<T>(extraConfig: String = "", jetStream: Bool = false, directory: URL? = nil,
                       _ body: (NATSTestServer) async throws -> T) async throws -> T {
    let server = try await NATSTestServer.start(extraConfig: extraConfig, jetStream: jetStream, directory: directory)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        let log = await server.tailOfLog()
        await server.stop()
        Issue.record("nats-server log tail:\n\(log)")
        throw error
    }
}
