@testable import CorgiForges
import Foundation
import Testing

@Suite("Names from payloads never steer a request")
struct GitHubNameTests {
    static let owner39 = String(repeating: "o", count: 38) + "1"
    static let repository100 = "r." + String(repeating: "x", count: 97) + "_"

    @Test("GitHub's name rules: valid names pass, traversal, queries, fragments and oversize names do not", arguments: [
        ("octo/widgets", true),
        ("Octo-Cat/hello.world_2", true),
        ("jdoe_acme/repo", true),  // managed-user login
        ("\(owner39)/\(repository100)", true),
        ("\(owner39)x/repo", false),  // 40-character owner
        ("octo/\(repository100)x", false),  // 101-character name
        ("octo/../../app/installations/2/access_tokens", false),
        ("octo/..", false),
        ("octo/.", false),
        ("octo/widgets?per_page=1", false),
        ("octo/widgets#frag", false),
        ("octo/wid gets", false),
        ("octo/widgets%2F..", false),
        ("octo/wídgets", false),
        ("-octo/widgets", false),
        ("octo/", false),
        ("/widgets", false),
        ("octo/widgets/extra", false),
        ("octo\\widgets", false),
        ("octo/widgets\n", false),
        ("", false),
    ])
    func names(_ fullName: String, _ valid: Bool) {
        #expect(GitHubName.isValidFullName(fullName) == valid, "\(fullName.debugDescription)")
        #expect((PullRequestReference(installationID: 1, fullName: fullName, number: 1) != nil) == valid)
    }

    @Test("commit ids are 40 or 64 hexadecimal digits")
    func commitIDs() {
        #expect(GitHubName.isValidCommitSHA(String(repeating: "a", count: 40)))
        #expect(GitHubName.isValidCommitSHA(String(repeating: "F", count: 64)))
        #expect(!GitHubName.isValidCommitSHA("abc"))
        #expect(!GitHubName.isValidCommitSHA(String(repeating: "a", count: 39) + "/"))
        #expect(!GitHubName.isValidCommitSHA(String(repeating: "g", count: 40)))
    }

    @Test("every path segment and query value is percent-encoded")
    func encoding() {
        #expect(URLPathSegment.encode("hello.world_2-x~") == "hello.world_2-x~")
        #expect(URLPathSegment.encode("a/b?c#d e%") == "a%2Fb%3Fc%23d%20e%25")
        #expect(URLPathSegment.encode("ü") == "%C3%BC")
        let pr = PullRequestReference(installationID: 1, owner: "oc/../to", repository: "x?y", number: 3)
        #expect(pr.apiPath == "/repos/oc%2F..%2Fto/x%3Fy")
    }

    @Test("a signed payload with a hostile name or commit id is refused, naming the field only")
    func decodingRefuses() throws {
        let sha = String(repeating: "a", count: 40)
        func body(fullName: String, head: String = sha) -> [UInt8] {
            Array("""
            {"action":"opened","number":1,"pull_request":{"number":1,"state":"open","head":{"sha":"\(head)","ref":"x"},"base":{"sha":"\(sha)","ref":"main"}},
             "repository":{"id":5,"name":"w","full_name":"\(fullName)"},"installation":{"id":1}}
            """.utf8)
        }
        #expect(throws: Never.self) { try GitHubEvent.decode(event: "pull_request", body: .init(body(fullName: "octo/widgets"))) }
        for hostile in ["octo/../../app/installations/2/access_tokens", "octo/widgets?x=1", "octo/widgets#x"] {
            do {
                _ = try GitHubEvent.decode(event: "pull_request", body: .init(body(fullName: hostile)))
                Issue.record("accepted \(hostile)")
            } catch let error as WebhookDecodingError {
                #expect(error.description.contains("repository.full_name"))
                #expect(!error.description.contains("access_tokens"))
            }
        }
        #expect(throws: WebhookDecodingError.self) {
            try GitHubEvent.decode(event: "pull_request", body: .init(body(fullName: "octo/widgets", head: "../../x")))
        }
    }
}

extension GitHubNameTests {
    @Test("a repository path from a diff is asked for only when plain: no climbing out of the contents endpoint", arguments: [
        ("app/archive.py", true),
        ("src/main/java/Ünïcode Name.java", true),
        (".github/workflows/ci.yml", true),
        ("a..b/c...d", true),
        ("../../../user", false),
        ("app/../../admin/users", false),
        ("app/./x.py", false),
        ("/etc/passwd", false),
        ("app//x.py", false),
        ("app/", false),
        ("", false),
        ("app/x.py\n", false),
        ("app/\u{7F}.py", false),
        (String(repeating: "a", count: RepositoryPath.maximumLength + 1), false),
    ])
    func repositoryPaths(_ path: String, plain: Bool) {
        #expect(RepositoryPath.isPlain(path) == plain)
    }
}
