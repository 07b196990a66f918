public import CorgiCore
import Foundation

extension FlowStep {
    /// A dataflow path as the stores keep it: compact JSON (`[{"line":5,"message":"source: …"}]`),
    /// or nil when there is none. The messages are the rule's names and line numbers, never code.
    public static func stored(_ steps: [FlowStep]?) -> String? {
        guard let steps, !steps.isEmpty, let data = try? JSONEncoder().encode(steps) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The path a store kept; nil for none, or for text that is not one.
    public static func read(stored text: String?) -> [FlowStep]? {
        guard let text, let steps = try? JSONDecoder().decode([FlowStep].self, from: Data(text.utf8)), !steps.isEmpty else { return nil }
        return steps
    }
}
