import Foundation

func exportProject(named name: String, to folder: URL) throws {
    let task = Process()
    task.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
    let source = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent("Projects/\(name)")
    task.arguments = ["czf", folder.appendingPathComponent("\(name).tgz").path, source.path]
    try task.run()
    task.waitUntilExit()
}
