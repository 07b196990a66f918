import Foundation

final class DraftStore {
    private let url: URL

    init(url: URL) { self.url = url }

    func load() -> Draft? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return NSKeyedUnarchiver.unarchiveObject(with: data) as? Draft
    }
}
