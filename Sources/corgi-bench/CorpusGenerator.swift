#if canImport(Glibc)
import Glibc
#endif

/// Writes a large unified diff of realistic source text: new and modified files in several
/// languages, identifiers and literals varied by a seeded generator, and a few planted secrets
/// and vulnerable calls (about one per 20,000 lines) so the full pipeline runs, as in real PRs.
struct CorpusGenerator {
    var random: SplitMix64

    static let python = [
        "def {f}(self, {v}, {w}=None):", "    \"\"\"Return the {v} for the given {w}.\"\"\"", "    if {v} is None:",
        "        raise ValueError(\"{v} must not be None\")", "    result = self.{f}_{w}({v}, timeout={n})",
        "    for item in {v}:", "        total += item.{w} * {n}", "    return {{\"{w}\": {v}, \"count\": {n}}}",
        "import logging", "from typing import Optional", "logger = logging.getLogger(__name__)",
        "    logger.info(\"processed %d {v} items\", len({v}))", "class {F}Service:", "    def __init__(self, client):",
        "        self.client = client", "        self.token_cache = {{}}", "    session = requests.Session()",
        "    response = session.get(f\"{{BASE_URL}}/api/{v}/{{{w}}}\", timeout={n})", "    response.raise_for_status()",
        "    auth_header = request.headers.get(\"Authorization\")", "    password_hash = hasher.hash(password)",
        "", "    # TODO: handle pagination for {v}",
    ]
    static let javascript = [
        "export async function {f}({v}, {w}) {{", "  const {v}List = await fetch(`/api/{v}/${{{w}}}`);",
        "  if (!{v}) {{ throw new Error('{v} is required'); }}", "  return {v}.map((x) => x.{w} * {n});", "}}",
        "import {{ {F} }} from './{v}';", "const {w} = require('{v}');", "  const token = localStorage.getItem('{v}');",
        "  setState({{ {v}: {n}, loading: false }});", "  useEffect(() => {{ {f}(); }}, [{v}]);", "",
        "  // keep the {w} in sync with the server", "  console.log(`loaded ${{{v}.length}} {w}`);",
        "  headers: {{ 'Content-Type': 'application/json' }},",
    ]
    static let go = [
        "func ({w} *{F}) {F}({v} string) (int, error) {{", "\tif {v} == \"\" {{", "\t\treturn 0, fmt.Errorf(\"empty {v}\")",
        "\t}}", "\tctx, cancel := context.WithTimeout(ctx, {n}*time.Second)", "\tdefer cancel()",
        "\tresp, err := http.Get(baseURL + \"/{v}\")", "\tif err != nil {{", "\t\treturn 0, err", "}}",
        "\tkey := cfg.APIKeyName", "\tfor i := 0; i < {n}; i++ {{", "", "// {F} returns the {v} of {w}.",
    ]
    static let java = [
        "public class {F}Controller {{", "    private final {F}Repository {v}Repository;",
        "    public {F}Controller({F}Repository {v}Repository) {{", "        this.{v}Repository = {v}Repository;", "    }}",
        "    @GetMapping(\"/{v}/{{id}}\")", "    public ResponseEntity<{F}> get(@PathVariable long id) {{",
        "        return {v}Repository.findById(id).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());",
        "    }}", "", "    // Credentials come from the vault at startup.", "    private String {w}Token;",
    ]
    static let config = [
        "  {v}:", "    image: registry.local/{v}:{n}.{n}", "    replicas: {n}", "    env:", "      - name: {W}_URL",
        "        value: http://{v}.svc.cluster.local:{n}", "    resources:", "      limits:", "        memory: {n}Mi",
        "{W}_TIMEOUT={n}", "{w}.{v}.enabled=true", "", "# {v} settings",
    ]
    static let planted = [
        "STRIPE_SECRET = \"sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h\"",
        "    cursor.execute(f\"SELECT * FROM {v} WHERE id = {{{w}}}\")",
        "token = \"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\"",
        "    subprocess.run(f\"tar -xf {{{v}}}\", shell=True)",
        "AWS_SECRET_ACCESS_KEY=9fQ2mXr7Lk4bVt8Zp1Wc6Ny3Hs5Jd0Ge2Ua7Ri4O",
    ]
    static let words = ["user", "order", "invoice", "account", "session", "payload", "record", "config", "item",
                        "request", "customer", "report", "metric", "event", "handler", "batch", "cache", "profile"]

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func fill(_ template: String) -> String {
        let v = pick(Self.words), w = pick(Self.words)
        let f = "load" + v.capitalizedFirst
        return template.replacingAll("{v}", v).replacingAll("{w}", w).replacingAll("{f}", f)
            .replacingAll("{F}", v.capitalizedFirst).replacingAll("{W}", w.uppercased())
            .replacingAll("{n}", String(random.next() % 900 + 10)).replacingAll("{{", "{").replacingAll("}}", "}")
    }

    /// Writes about `bytes` bytes of diff to `fd` through a small buffer.
    mutating func write(bytes target: Int, to fd: Int32) -> (files: Int, lines: Int) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var written = 0, files = 0, lines = 0
        func flush() {
            buffer.withUnsafeBytes { p in var off = 0; while off < p.count { off += Glibc.write(fd, p.baseAddress! + off, p.count - off) } }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        let kinds: [(String, [String])] = [("py", Self.python), ("js", Self.javascript), ("go", Self.go), ("java", Self.java), ("yaml", Self.config)]
        while written + buffer.count < target {
            let (ext, templates) = pick(kinds)
            let path = "src/\(pick(Self.words))/\(pick(Self.words))_\(files).\(ext)"
            let count = Int(random.next() % 300 + 20)
            let isNew = random.next() % 3 != 0
            var body: [String] = []
            for _ in 0..<count {
                if random.next() % 20_000 == 0 { body.append(fill(pick(Self.planted))) } else { body.append(fill(pick(templates))) }
            }
            if isNew {
                buffer += Array("diff --git a/\(path) b/\(path)\nnew file mode 100644\nindex 0000000..1a2b3c4\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,\(count) @@\n".utf8)
                for line in body { buffer += Array("+\(line)\n".utf8) }
            } else {
                // A modification: context around runs of added lines, a few removals.
                let start = Int(random.next() % 500 + 1)
                var old = 0, new = 0
                var hunk: [UInt8] = []
                for (i, line) in body.enumerated() {
                    switch i % 10 {
                    case 0, 9: hunk += Array(" \(line)\n".utf8); old += 1; new += 1
                    case 5: hunk += Array("-\(line)x\n".utf8); old += 1
                    default: hunk += Array("+\(line)\n".utf8); new += 1
                    }
                }
                buffer += Array("diff --git a/\(path) b/\(path)\nindex 1a2b3c4..5d6e7f8 100644\n--- a/\(path)\n+++ b/\(path)\n@@ -\(start),\(old) +\(start),\(new) @@ class X:\n".utf8)
                buffer += hunk
            }
            files += 1
            lines += count
            if buffer.count > 1 << 16 { flush() }
        }
        flush()
        return (files, lines)
    }
}

/// A small deterministic generator so every run scans the same bytes.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }

    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
