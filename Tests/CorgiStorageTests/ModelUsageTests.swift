import CorgiReview
import Foundation
import Testing

@Suite("Model review usage: today's tokens of an organisation, from the audit log, on every engine")
struct ModelUsageTests {
    @Test("tokens of today's scan events of the organisation on its forge are summed; others are not", arguments: Backend.available)
    func tokensUsed(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            func scan(_ organisation: String, forge: String, input: Int?, output: Int?) async throws {
                var metadata = ["forge": forge, "target": "\(organisation)/api#1"]
                if let input { metadata["ai_input_tokens"] = "\(input)" }
                if let output { metadata["ai_output_tokens"] = "\(output)" }
                try await store.audit(actor: "worker", action: "scan.recorded", target: "\(organisation)/api#1", organisation: organisation,
                                      metadata: metadata)
            }
            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            #expect(try await store.modelTokensUsed(forge: "github", organisation: "acme", since: today) == 0)
            try await scan("acme", forge: "github", input: 1_200, output: 300)
            try await scan("acme", forge: "github", input: 800, output: 100)
            try await scan("acme", forge: "github", input: nil, output: nil)  // a review without the model
            try await scan("acme", forge: "gitlab", input: 5_000, output: 5_000)  // the same login elsewhere
            try await scan("globex", forge: "github", input: 7_000, output: 1)
            try await store.audit(actor: "worker", action: "scan.superseded", target: "acme/api#1", organisation: "acme",
                                  metadata: ["forge": "github", "ai_input_tokens": "9999"])
            #expect(try await store.modelTokensUsed(forge: "github", organisation: "acme", since: today) == 2_400)
            #expect(try await store.modelTokensUsed(forge: "gitlab", organisation: "acme", since: today) == 10_000)
            #expect(try await store.modelTokensUsed(forge: "github", organisation: "acme", since: "9999-12-31") == 0, "events before the day asked for do not count")
        }
    }
}
