import ArgumentParser
import CorgiAccess
import CorgiService
import Foundation

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key",
        abstract: "Create, list and revoke an organisation's API keys (the first key of an organisation is made here).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Target: ParsableArguments {
        @Option(help: "The settings of corgi serve or of the distributed mode.")
        var config: String

        @Option(help: "The organisation, as FORGE/LOGIN: github/acme, gitlab/platform, gitea/infra.")
        var organisation: String

        func organisationRef() throws -> OrganisationRef {
            let parts = organisation.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let ref = OrganisationRef(validatingForge: parts[0], login: parts[1]) else {
                throw ValidationError("--organisation: FORGE/LOGIN with FORGE one of github, gitlab, gitea")
            }
            return ref
        }
    }

    static var actor: String { "cli:\(ProcessInfo.processInfo.environment["USER"].map { $0.isEmpty ? "unknown" : $0 } ?? "unknown")" }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once (the store keeps only its hash).")
        @OptionGroup var target: Target
        @Option(help: "A name that says what the key is for.")
        var name: String
        @Option(help: "owner, admin, member or auditor.")
        var role: String
        @Option(name: .customLong("scope"), help: "Narrow the key to these permissions (repeat): \(Permission.allCases.map(\.rawValue).joined(separator: ", ")).")
        var scopes: [String] = []
        @Option(help: "Days until the key expires (1 to 365).")
        var expiresInDays = 90

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role: owner, admin, member or auditor") }
            let permissions = scopes.compactMap(Permission.init(rawValue:))
            guard permissions.count == scopes.count else {
                throw ValidationError("--scope: one of \(Permission.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (secret, record) = try await UsageError.reportingSettings {
                try await APIKeyAdministration.create(settingsPath: target.config, organisation: try target.organisationRef(),
                                                      name: name, role: role, scopes: scopes.isEmpty ? nil : Set(permissions),
                                                      days: expiresInDays, actor: APIKeyCommand.actor)
            }
            // The secret on stdout alone, so `KEY=$(corgi api-key create …)` works; the rest on stderr.
            FileHandle.standardError.write(Data("created API key \(record.id) (\(record.role.rawValue)) for \(record.organisation); it is shown only now\n".utf8))
            print(secret.value)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organisation's keys: ids, names, roles and dates, never a secret.")
        @OptionGroup var target: Target

        func run() async throws {
            let keys = try await UsageError.reportingSettings {
                try await APIKeyAdministration.list(settingsPath: target.config, organisation: try target.organisationRef())
            }
            let format = ISO8601DateFormatter()
            for key in keys {
                let state = key.revokedAt != nil ? "revoked" : (key.isUsable(at: Date()) ? "active" : "expired")
                print("\(key.id)\t\(key.displayPrefix)…\t\(key.role.rawValue)\t\(state)\texpires \(key.expiresAt.map(format.string) ?? "never")\t\(key.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops authenticating at once.")
        @OptionGroup var target: Target
        @Option(help: "The key's id (from list).")
        var id: Int

        func run() async throws {
            let revoked = try await UsageError.reportingSettings {
                try await APIKeyAdministration.revoke(settingsPath: target.config, organisation: try target.organisationRef(), id: id,
                                                      actor: APIKeyCommand.actor)
            }
            guard revoked else { throw UsageError("no live key \(id) in \(target.organisation)") }
            print("revoked API key \(id)")
        }
    }
}
