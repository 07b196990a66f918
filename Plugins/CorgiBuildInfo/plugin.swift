import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` with the commit the sources were built from (`git rev-parse HEAD` of
/// the package's directory; `unknown` outside a git checkout), so `corgi --version` names it.
/// A build command whose inputs are git's record of HEAD (`.git/HEAD` and its reflog, which every
/// commit, checkout and reset touches): it runs again exactly when the commit may have changed.
@main
struct CorgiBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo.swift")
        let package = context.package.directoryURL
        let git = package.appendingPathComponent(".git")
        let inputs = [git.appendingPathComponent("HEAD"), git.appendingPathComponent("logs/HEAD")]
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        // The commit is 40 hex digits or `unknown`: nothing else can reach the Swift literal.
        let script = """
            commit=$(git -C '\(package.path)' rev-parse HEAD 2>/dev/null | tr -cd '0-9a-f' | cut -c1-40)
            [ -n "$commit" ] || commit=unknown
            printf 'enum BuildInfo { static let commit = "%s" }\\n' "$commit" > '\(output.path)'
            """
        return [.buildCommand(displayName: "Build info (commit)", executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", script], inputFiles: inputs, outputFiles: [output])]
    }
}
