import ArgumentParser
import CorgiService

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Distributed mode: verify webhooks and queue them on NATS JetStream (the only HTTP listener).")

    @Option(help: "The settings file (YAML): server, github, database, queue and secrets sections.")
    var config: String

    func run() async throws {
        try await UsageError.reportingSettings { try await CorgiGateway.run(settingsPath: config) }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Distributed mode: pull jobs from NATS JetStream and review them (listens on no port).")

    @Option(help: "The settings file (YAML): github, database, queue, objects.s3, worker and secrets sections.")
    var config: String

    func run() async throws {
        try await UsageError.reportingSettings { try await CorgiWorkerNode.run(settingsPath: config) }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Distributed mode: bring the PostgreSQL schema up to date as the migration role and grant the application role.")

    @Option(help: "The settings file (YAML): database and secrets sections (reads postgres-migration-password).")
    var config: String

    func run() async throws {
        let applied = try await UsageError.reportingSettings { try await CorgiMigration.run(settingsPath: config) }
        print(applied.isEmpty ? "schema is current" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}
