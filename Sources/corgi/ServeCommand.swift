import ArgumentParser
import CorgiService

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the GitHub App review service on embedded defaults (SQLite, encrypted local objects, durable queue).")

    @Option(help: "The settings file (YAML). Secrets are read from the files of its secrets.directory.")
    var config: String

    func run() async throws {
        try await UsageError.reportingSettings { try await CorgiServer.run(settingsPath: config) }
    }
}
