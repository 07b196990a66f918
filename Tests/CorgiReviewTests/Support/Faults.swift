/// A crash injected at the n-th step of a run: every write the fakes make passes two points,
/// just before the effect and just after it (the effect done, the caller never told), and the
/// point numbered `crashAt` throws instead of going on.
actor Faults {
    struct Crash: Error, CustomStringConvertible {
        var point: String
        var description: String { "injected crash at \(point)" }
    }

    private(set) var passed: [String] = []
    var crashAt: Int?

    init(crashAt: Int? = nil) { self.crashAt = crashAt }

    func point(_ name: String) throws {
        passed.append(name)
        if passed.count == crashAt {
            crashAt = nil
            throw Crash(point: name)
        }
    }
}
