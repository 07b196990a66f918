/// One step of a dataflow finding's path: where an untrusted value enters (the source) or where
/// it arrives (the sink). Carries a line and a description taken from the rule, never code.
public struct FlowStep: Sendable, Hashable, Codable {
    /// 1-based line in the new version of the file.
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}
