/// Language of a file, from its name or, failing that, its shebang line. Rule files name these
/// identifiers in `languages:`.
public enum Language {
    static let byExtension: [String: String] = [
        "py": "python", "pyw": "python", "pyi": "python",
        "js": "javascript", "mjs": "javascript", "cjs": "javascript", "jsx": "javascript",
        "ts": "typescript", "mts": "typescript", "cts": "typescript", "tsx": "typescript",
        "java": "java", "kt": "kotlin", "kts": "kotlin", "scala": "scala", "groovy": "groovy", "gradle": "groovy",
        "go": "go", "rb": "ruby", "rake": "ruby", "gemspec": "ruby", "erb": "ruby",
        "php": "php", "phtml": "php", "cs": "csharp", "cshtml": "csharp", "swift": "swift",
        "sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell", "fish": "fish", "mk": "make", "mak": "make",
        "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "hh": "cpp", "m": "objc",
        "rs": "rust", "tf": "terraform", "tfvars": "terraform", "hcl": "terraform",
        "yml": "yaml", "yaml": "yaml", "json": "json", "toml": "toml", "xml": "xml",
        "html": "html", "htm": "html", "vue": "javascript", "svelte": "javascript",
        "properties": "properties", "ini": "ini", "cfg": "ini", "conf": "ini", "env": "dotenv",
        "sql": "sql", "ps1": "powershell", "psm1": "powershell", "dockerfile": "dockerfile",
        "ex": "elixir", "exs": "elixir", "lua": "lua", "pl": "perl", "pm": "perl", "r": "r",
    ]

    static let byFileName: [String: String] = [
        "dockerfile": "dockerfile", "containerfile": "dockerfile", "gemfile": "ruby", "rakefile": "ruby",
        "makefile": "make", "gnumakefile": "make", "jenkinsfile": "groovy", "vagrantfile": "ruby", ".env": "dotenv",
        ".bashrc": "shell", ".zshrc": "shell", ".profile": "shell", "podfile": "ruby",
    ]

    static let byInterpreter: [String: String] = [
        "python": "python", "python3": "python", "python2": "python", "node": "javascript", "deno": "typescript",
        "ruby": "ruby", "php": "php", "sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell", "dash": "shell",
        "fish": "fish", "perl": "perl", "swift": "swift",
    ]

    /// The language of `path`, or `nil` when the name does not say.
    public static func detect(path: String) -> String? {
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? ""
        if let known = byFileName[name] { return known }
        if name.hasPrefix("dockerfile.") || name.hasSuffix(".dockerfile") { return "dockerfile" }
        if name.hasPrefix(".env.") { return "dotenv" }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return byExtension[String(name[name.index(after: dot)...])]
    }

    /// The language named by a `#!` line, if any (`#!/usr/bin/env python3`, `#!/bin/sh -e`).
    public static func detect(shebang line: UnsafeBufferPointer<UInt8>) -> String? {
        guard line.count > 2, line[0] == UInt8(ascii: "#"), line[1] == UInt8(ascii: "!") else { return nil }
        let text = String(decoding: line.dropFirst(2).prefix(200), as: UTF8.self)
        var words = text.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return nil }
        if words[0].hasSuffix("/env") {
            words.removeFirst()
            while let first = words.first, first.hasPrefix("-") { words.removeFirst() }
        }
        guard let program = words.first?.split(separator: "/").last else { return nil }
        var name = String(program)
        if let known = byInterpreter[name] { return known }
        // python3.12, ruby2.7
        while let last = name.last, last.isNumber || last == "." { name.removeLast() }
        return byInterpreter[name]
    }
}
