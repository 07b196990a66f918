import AsyncHTTPClient
import CorgiObjects
import Foundation
import Testing

@Suite("S3: SigV4 and the object store")
struct S3ObjectStoreTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    @Test("the signature of AWS's published SigV4 example")
    func awsExample() {
        // "Create a signed AWS API request": GET IAM ListUsers, 2015-08-30T12:36:00Z.
        let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 region: "us-east-1", service: "iam")
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [("Version", "2010-05-08"), ("Action", "ListUsers")],
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com")],
            payloadHash: SigV4Signer.sha256Hex([]))
        let headers = signer.sign(request, date: Date(timeIntervalSince1970: 1_440_938_160))
        let authorization = headers.first { $0.0 == "Authorization" }!.1
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test("the same signature as botocore for S3 requests with awkward keys and queries")
    func botocore() throws {
        let cases: [(String, String, [(String, String)], [UInt8])] = [
            ("PUT", "/corgi-diffs/diffs/octo/repo/7/a%20b%2Bc~d.diff", [], Array("sealed bytes".utf8)),
            ("GET", "/corgi-diffs", [("list-type", "2"), ("prefix", "diffs/o ct/"), ("continuation-token", "a+b/c=")], []),
            ("DELETE", "/corgi-diffs/k%C3%A9y", [], []),
        ]
        for (method, path, query, body) in cases {
            let signer = SigV4Signer(accessKeyID: "AKIAEXAMPLEKEY123456", secretAccessKey: "abc/DEF+ghi", region: "eu-west-1")
            let headers = [("host", "127.0.0.1:9000"), ("content-type", "application/octet-stream"), ("x-amz-meta-corgi-expires", "1700000000")]
            let ours = signer.sign(SigV4Signer.Request(method: method, path: path, query: query, headers: headers,
                                                       payloadHash: SigV4Signer.sha256Hex(body)),
                                   date: Date(timeIntervalSince1970: 1_700_000_000))
            let theirs = try botocoreSignature(method: method, path: path, query: query, headers: headers, body: body)
            let signature = ours.first { $0.0 == "Authorization" }!.1.components(separatedBy: "Signature=").last!
            #expect(signature == theirs, "\(method) \(path)")
        }
    }

    func botocoreSignature(method: String, path: String, query: [(String, String)], headers: [(String, String)], body: [UInt8]) throws -> String {
        let script = """
            import json, sys
            from botocore.auth import S3SigV4Auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            from urllib.parse import urlencode, quote
            spec = json.loads(sys.stdin.read())
            query = "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in spec["query"])
            url = "http://127.0.0.1:9000" + spec["path"] + ("?" + query if query else "")
            request = AWSRequest(method=spec["method"], url=url, data=bytes(spec["body"]), headers={k: v for k, v in spec["headers"] if k != "host"})
            auth = S3SigV4Auth(Credentials("AKIAEXAMPLEKEY123456", "abc/DEF+ghi"), "s3", "eu-west-1")
            request.context["timestamp"] = "20231114T221320Z"
            request.headers["X-Amz-Date"] = "20231114T221320Z"
            request.headers["X-Amz-Content-SHA256"] = auth.payload(request)
            canonical = auth.canonical_request(request)
            print(auth.signature(auth.string_to_sign(request, canonical), request))
            """
        let spec: [String: Any] = ["method": method, "path": path, "query": query.map { [$0.0, $0.1] }, "headers": headers.map { [$0.0, $0.1] },
                                   "body": body.map(Int.init)]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
