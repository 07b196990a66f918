/// A file's path inside a repository, as a review asks a forge for it. Paths come from the pull
/// request's diff, which its author writes, and they go into request URLs: a `..` segment would
/// let a path climb out of the contents endpoint to another one, with the review's token (git
/// refuses such paths, but not every forge checks what is pushed). So a path is asked for only
/// when it is plain: relative, segments neither empty nor `.` nor `..`, no control characters,
/// at most 4,096 bytes. Anything else is answered as a file that does not exist.
public enum RepositoryPath {
    public static let maximumLength = 4096

    public static func isPlain(_ path: some StringProtocol) -> Bool {
        guard (1...maximumLength).contains(path.utf8.count), !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
