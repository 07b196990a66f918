import ArgumentParser
import CorgiCore
import CorgiService
import Foundation

/// `corgi`: the executable. Subcommands are thin: they parse arguments and call the layers below.
@main
struct Corgi: AsyncParsableCommand {
    static let version = CorgiVersion.current

    static let configuration = CommandConfiguration(
        commandName: "corgi",
        abstract: "Code Corgi: security review of pull-request diffs.",
        version: "\(version) (commit \(BuildInfo.commit))",
        subcommands: [ScanCommand.self, ServeCommand.self, APIKeyCommand.self, GatewayCommand.self, WorkerCommand.self, MigrateCommand.self, RulesCommand.self,
                      AuditCommand.self]
    )

    /// Exit codes are part of the interface: 0 clean, 1 findings at or above `--fail-on`,
    /// 2 usage or input error with a one-line message on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // One line, always: CI logs and wrappers read the first line of stderr.
            let message = Corgi.message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            FileHandle.standardError.write(Data("corgi: \(message)\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// An input or usage problem: reported on one line, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// Runs a service entry point; a settings or secrets problem is the user's to fix (exit 2).
    static func reportingSettings<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SettingsError { throw UsageError(error.description) }
    }
}
