import Foundation

func exportProject(named name: String, to folder: String) throws {
    let task = Process()
    task.executableURL = URL(fileURLWithPath: "/bin/zsh")
    task.arguments = ["-c", "tar czf \(folder)/\(name).tgz ~/Projects/\(name)"]
    try task.run()
    task.waitUntilExit()
}
