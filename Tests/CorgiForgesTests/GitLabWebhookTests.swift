import CorgiForges
import Foundation
import Testing

@Suite("GitLab webhooks: Standard Webhooks signatures and event decoding")
struct GitLabWebhookTests {
    static let key = Array("a-signing-key-of-32-random-bytes".utf8)
    static let body = Array(#"{"object_kind":"merge_request"}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func verify(id: String? = "msg_1", timestamp: String? = "1800000000", signatures: String?, body: [UInt8] = body,
                       keys: [[UInt8]] = [key]) -> StandardWebhooks.Verdict {
        StandardWebhooks.verify(id: id, timestamp: timestamp, signatures: signatures, body: body, keys: keys, now: now)
    }

    @Test("a signed delivery verifies; any change to id, timestamp, body or key does not")
    func signatures() {
        let good = StandardWebhooks.sign(id: "msg_1", timestamp: "1800000000", body: Self.body, key: Self.key)
        #expect(Self.verify(signatures: good) == .valid)
        #expect(Self.verify(id: "msg_2", signatures: good) == .refused(.noMatchingSignature))
        #expect(Self.verify(timestamp: "1800000001", signatures: good) == .refused(.noMatchingSignature))
        #expect(Self.verify(signatures: good, body: Self.body + [0x20]) == .refused(.noMatchingSignature))
        #expect(Self.verify(signatures: good, keys: [Array("another-key-of-32-random-bytes!!".utf8)]) == .refused(.noMatchingSignature))
        // One matching entry among several (key rotation on the sender's side) is enough.
        #expect(Self.verify(signatures: "v1,AAAA " + good) == .valid)
        // Other schemes and malformed entries never match.
        #expect(Self.verify(signatures: good.replacingOccurrences(of: "v1,", with: "v1a,")) == .refused(.noMatchingSignature))
        #expect(Self.verify(signatures: "v1,not base64!") == .refused(.noMatchingSignature))
    }

    @Test("missing headers, a malformed timestamp and a replay outside five minutes are refused", arguments: [
        (nil, "1800000000", "v1,x", StandardWebhooks.Failure.missingHeaders),
        ("msg_1", nil, "v1,x", .missingHeaders),
        ("msg_1", "1800000000", nil, .missingHeaders),
        ("msg_1", "1.8e9", "v1,x", .badTimestamp),
        ("msg_1", "-1", "v1,x", .badTimestamp),
        ("msg_1", "1799999699", "v1,x", .outsideTolerance),
        ("msg_1", "1800000301", "v1,x", .outsideTolerance),
    ] as [(String?, String?, String?, StandardWebhooks.Failure)])
    func refused(_ id: String?, _ timestamp: String?, _ signatures: String?, _ failure: StandardWebhooks.Failure) {
        var signed = signatures
        if let id, let timestamp, signatures != nil, !timestamp.contains(".") && !timestamp.hasPrefix("-") {
            signed = StandardWebhooks.sign(id: id, timestamp: timestamp, body: Self.body, key: Self.key)
        }
        #expect(Self.verify(id: id, timestamp: timestamp, signatures: signed) == .refused(failure))
    }

    @Test("whsec_ secrets decode with or without the prefix; non-base64 secrets are refused")
    func keys() {
        #expect(StandardWebhooks.key(fromSecret: "whsec_" + Data(Self.key).base64EncodedString()) == Self.key)
        #expect(StandardWebhooks.key(fromSecret: Data(Self.key).base64EncodedString() + "\n") == Self.key)
        // Without base64's padding (31 bytes encode to 41 characters and one "=").
        #expect(StandardWebhooks.key(fromSecret: "whsec_" + Data(Self.key.dropLast()).base64EncodedString().replacingOccurrences(of: "=", with: ""))
            == Array(Self.key.dropLast()))
        #expect(StandardWebhooks.key(fromSecret: "whsec_***") == nil)
        #expect(StandardWebhooks.key(fromSecret: "") == nil)
    }

    @Test("the published Standard Webhooks vectors verify (clock set to each vector's time)",
          .enabled(if: Fixtures.sharedAvailable, "skipped: ../shared/fixtures is absent"))
    func publishedVectors() throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.sharedData("standard-webhooks/test-vectors.json")) as! [String: Any]
        let vectors = (json["published"] as? [[String: Any]] ?? []) + (json["derived"] as? [[String: Any]] ?? [])
        #expect(vectors.count >= 2)
        for v in vectors {
            guard let secret = v["secret"] as? String, let id = v["msg_id"] as? String, let payload = v["payload"] as? String,
                  let signature = (v["signature"] ?? v["webhook-signature"]) as? String, let expect = v["expect"] as? String
            else { continue }
            let timestamp = (v["timestamp"] as? String) ?? (v["timestamp"] as? Int).map(String.init) ?? ""
            let key = StandardWebhooks.key(fromSecret: secret) ?? []
            let seconds = TimeInterval(timestamp) ?? 0
            let verdict = StandardWebhooks.verify(id: id, timestamp: timestamp, signatures: signature, body: Array(payload.utf8), keys: [key],
                                                  now: Date(timeIntervalSince1970: seconds))
            let valid = verdict == .valid
            #expect(valid == (expect == "valid"), "\(v["name"] ?? "?")")
        }
    }

    static func mergeRequest(action: String, oldrev: String? = nil) -> Data {
        let oldrevField = oldrev.map { #", "oldrev": "\#($0)""# } ?? ""
        return Data("""
            {"object_kind": "merge_request", "event_type": "merge_request", "user": {"id": 1, "username": "dev"},
             "project": {"id": 15, "path_with_namespace": "acme/sub/widgets", "web_url": "https://gitlab.example.com/acme/sub/widgets"},
             "object_attributes": {"iid": 3, "action": "\(action)", "state": "opened",
                                   "last_commit": {"id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}\(oldrevField)}}
            """.utf8)
    }

    @Test("merge request events: open, reopen and updates with new commits review; close and merge close; others record")
    func mergeRequests() throws {
        for (action, oldrev, scans, closes) in [("open", nil, true, false), ("reopen", nil, true, false), ("update", "abc", true, false),
                                               ("update", nil, false, false), ("approved", nil, false, false), ("close", nil, false, true),
                                               ("merge", nil, false, true)] as [(String, String?, Bool, Bool)] {
            guard case .mergeRequest(let e) = try GitLabEvent.decode(event: "Merge Request Hook", body: Self.mergeRequest(action: action, oldrev: oldrev))
            else { Issue.record("\(action) not decoded"); continue }
            #expect(e.triggersScan == scans && e.closes == closes, "\(action)")
            #expect(e.project.id == 15 && e.project.organisation == "acme" && e.objectAttributes.iid == 3)
            #expect(e.objectAttributes.lastCommit?.id == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
        }
    }

    @Test("notes on merge requests decode; other notes and events are ignored; garbage is refused")
    func notesAndOthers() throws {
        let note = Data("""
            {"object_kind": "note", "user": {"id": 1, "username": "dev"},
             "project": {"id": 15, "path_with_namespace": "acme/widgets"},
             "object_attributes": {"id": 9, "note": "@corgi help", "noteable_type": "MergeRequest"},
             "merge_request": {"iid": 3, "last_commit": {"id": "abc"}}}
            """.utf8)
        guard case .note(let e) = try GitLabEvent.decode(event: "Note Hook", body: note) else { Issue.record("note not decoded"); return }
        #expect(e.objectAttributes.note == "@corgi help" && e.mergeRequest?.iid == 3)
        let issueNote = Data(#"{"object_kind": "note", "project": {"id": 15, "path_with_namespace": "a/b"}, "object_attributes": {"noteable_type": "Issue"}}"#.utf8)
        #expect(try GitLabEvent.decode(event: "Note Hook", body: issueNote) == .ignored(event: "Note Hook"))
        #expect(try GitLabEvent.decode(event: "Push Hook", body: Data("{}".utf8)) == .ignored(event: "Push Hook"))
        #expect(throws: GitLabEvent.DecodingFailure.self) { try GitLabEvent.decode(event: "Merge Request Hook", body: Data("[1]".utf8)) }
        #expect(throws: GitLabEvent.DecodingFailure.self) { try GitLabEvent.decode(event: "Merge Request Hook", body: Data("{\"project\":{}}".utf8)) }
    }

    @Test("the documented payload examples decode", .enabled(if: Fixtures.sharedAvailable, "skipped: ../shared/fixtures is absent"))
    func documentedExamples() throws {
        guard case .mergeRequest(let mr) = try GitLabEvent.decode(event: "Merge Request Hook", body: Fixtures.sharedData("gitlab/merge_request.json"))
        else { Issue.record("merge_request.json not decoded as a merge request event"); return }
        #expect(mr.objectAttributes.action == "open" && mr.triggersScan && mr.objectAttributes.lastCommit != nil)
        guard case .note(let note) = try GitLabEvent.decode(event: "Note Hook", body: Fixtures.sharedData("gitlab/note_merge_request.json"))
        else { Issue.record("note_merge_request.json not decoded as a merge request note"); return }
        #expect(note.mergeRequest != nil)
    }
}
