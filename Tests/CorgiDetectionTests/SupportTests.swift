import CorgiDetection
import Testing

@Suite("Globs, keywords, languages and value checks")
struct SupportTests {
    @Test("globs", arguments: [
        ("*.min.js", "a/b/c.min.js", true),
        ("*.min.js", "a/b/c.js", false),
        ("vendor/**", "vendor/x/y.go", true),
        ("vendor/**", "src/vendor/x.go", false),
        ("**/testdata/**", "pkg/testdata/a.txt", true),
        ("**/testdata/**", "testdata/a.txt", true),
        (".github/workflows/*.yml", ".github/workflows/ci.yml", true),
        (".github/workflows/*.yml", ".github/workflows/sub/ci.yml", false),
        ("src/*.{ts,tsx}", "src/a.tsx", true),
        ("src/?.py", "src/a.py", true),
        ("src/[ab].py", "src/c.py", false),
        ("docs", "docs/readme.md", true),
    ])
    func globs(glob: String, path: String, matches: Bool) throws {
        #expect(try Glob(glob).matches(path, scratch: MatchScratch()) == matches)
    }

    @Test("the keyword automaton agrees with a naive search, folding case or not", arguments: [false, true])
    func automaton(caseSensitive: Bool) {
        let keywords = ["he", "she", "his", "hers", "AKIA", "ghp_", "a", "secret_key", "key", "Hers"]
        let automaton = KeywordAutomaton(keywords: keywords.enumerated().map { ($0.element, $0.offset) }, caseSensitive: caseSensitive)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("hesirAKIghp_akyetcHES ".utf8)
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var found = Set<Int>()
            text.withUnsafeBufferPointer { automaton.scan($0) { found.insert($0) } }
            let string = String(decoding: text, as: UTF8.self)
            let expected = Set(keywords.indices.filter {
                caseSensitive ? string.contains(keywords[$0]) : string.lowercased().contains(keywords[$0].lowercased())
            })
            #expect(found == expected, "\(string)")
        }
    }

    @Test("languages from names and shebangs", arguments: [
        ("src/app.py", "python"), ("Dockerfile", "dockerfile"), ("deploy/Dockerfile.prod", "dockerfile"),
        ("main.tf", "terraform"), ("web/App.tsx", "typescript"), (".env.local", "dotenv"), ("README", nil),
        ("build/release.mk", "make"), ("GNUmakefile", "make"), ("conf.d/env.fish", "fish"),
    ] as [(String, String?)])
    func languages(path: String, language: String?) {
        #expect(Language.detect(path: path) == language)
    }

    @Test("shebangs", arguments: [
        ("#!/usr/bin/env python3", "python"), ("#!/bin/bash -e", "shell"), ("#!/usr/bin/env -S node --x", "javascript"),
        ("#!/usr/bin/python3.12", "python"), ("# not a shebang", nil),
    ] as [(String, String?)])
    func shebangs(line: String, language: String?) {
        var copy = line
        #expect(copy.withUTF8 { Language.detect(shebang: $0) } == language)
    }

    @Test("entropy, repeated and sequential values")
    func values() {
        #expect(ValueChecks.entropy(Array("aaaa".utf8)) == 0)
        #expect(abs(ValueChecks.entropy(Array("abcd".utf8)) - 2) < 1e-9)
        #expect(ValueChecks.isRepeated(Array("xxxxxxxxxxxx".utf8)))
        #expect(ValueChecks.isRepeated(Array("0000-0000-0000".utf8)))
        #expect(!ValueChecks.isRepeated(Array("Q8wM3zR6tK1y".utf8)))
        #expect(ValueChecks.isSequential(Array("abcdefghijkl".utf8)))
        #expect(ValueChecks.isSequential(Array("0123456789".utf8)))
        #expect(!ValueChecks.isSequential(Array("Q8wM3zR6tK1y".utf8)))
        // Letters and digits counting up in step: a made-up value.
        #expect(ValueChecks.isSequential(Array("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6".utf8)))
        #expect(ValueChecks.isSequential(Array("shpss_A1B2C3D4E5F6G7H8".utf8)))
        #expect(!ValueChecks.isSequential(Array("e9b3f0a7c21d8465fb0a93c7d12e6f48".utf8)))
    }
}
