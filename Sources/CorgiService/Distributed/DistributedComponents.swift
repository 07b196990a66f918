import AsyncHTTPClient
import CorgiNATS
import CorgiObjects
import CorgiReview
import CorgiPostgres
import CorgiQueue
import Foundation
import Logging

/// How the distributed processes reach PostgreSQL, NATS and S3 from their settings, with
/// credentials from the secrets directory only.
enum DistributedComponents {
    static func database(_ settings: ServiceSettings, secrets: SecretStore, asMigrationRole: Bool = false) async throws -> PostgresConfiguration {
        guard let db = settings.database else { throw SettingsError("missing settings section database") }
        let password = try await secrets.requiredString(asMigrationRole ? .postgresMigrationPassword : .postgresPassword)
        return PostgresConfiguration(
            host: db.host, port: db.port, database: db.name, username: asMigrationRole ? db.migrationUser : db.user,
            password: password, tls: try PostgresConfiguration.TLSMode(mode: db.tls, caCertificateFile: db.caFile),
            // Each running review holds a connection for its pull-request lock, and needs more for its queries.
            maximumConnections: max(10, settings.workers * 2 + 4))
    }

    static func nats(_ settings: ServiceSettings, secrets: SecretStore, name: String, logger: Logger) async throws -> NATSConnection {
        guard let queue = settings.queue else { throw SettingsError("missing settings section queue") }
        var options = try NATSOptions(urls: queue.servers, name: name)
        if queue.nkey {
            options.auth = .nkey(seed: try await secrets.requiredString(.natsNkeySeed))
        } else if let user = queue.user {
            options.auth = .userPassword(user: user, password: try await secrets.requiredString(.natsPassword))
        }
        if let caFile = queue.caFile {
            options.tls = NATSTLSOptions(caFile: caFile)
        }
        // Publishes during a reconnect fail at once: the gateway answers 503 and the forge
        // redelivers, rather than holding webhooks in memory.
        options.reconnectBufferSize = 0
        return try await NATSConnection.connect(options: options, logger: logger)
    }

    static func jobQueue(_ settings: ServiceSettings, connection: NATSConnection, logger: Logger) async throws -> JetStreamJobQueue {
        guard let queue = settings.queue else { throw SettingsError("missing settings section queue") }
        let jobs = JetStreamJobQueue(
            connection: connection,
            configuration: JetStreamJobQueue.Configuration(
                stream: queue.stream, subject: queue.subject, consumer: queue.consumer, ackWait: .seconds(queue.ackWaitSeconds),
                maximumDeliveries: settings.maximumAttempts, duplicateWindow: .seconds(queue.duplicateWindowSeconds)),
            logger: logger)
        try await jobs.prepare()
        return jobs
    }

    static func objects(_ settings: ServiceSettings, secrets: SecretStore, http: HTTPClient) async throws -> S3ObjectStore {
        guard let s3 = settings.objectStorage else { throw SettingsError("missing settings section objects.s3") }
        let signer = SigV4Signer(accessKeyID: try await secrets.requiredString(.s3AccessKeyID),
                                 secretAccessKey: try await secrets.requiredString(.s3SecretAccessKey), region: s3.region)
        return S3ObjectStore(location: S3Location(endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket,
                                                  serverSideEncryption: s3.serverSideEncryption),
                             signer: signer, sealer: try Sealer(keys: await secrets.storageKeys()), http: http)
    }

    /// Where workers announce themselves, per deployment.
    static func presenceSubject(_ settings: ServiceSettings) -> String {
        "corgi.presence.\(settings.queue?.consumer ?? "workers")"
    }
}
