import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` with the commit the sources were built from (`git rev-parse HEAD` of
/// the package's directory; `unknown` outside a git checkout), so `corgi --version` names it.
/// A prebuild command: it runs before every build, and costs one git call.
@main
struct CorgiBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let file = output.appendingPathComponent("BuildInfo.swift").path
        let package = context.package.directoryURL.path
        // The commit is 40 hex digits or `unknown`: nothing else can reach the Swift literal.
        let script = """
            mkdir -p '\(output.path)'
            commit=$(git -C '\(package)' rev-parse HEAD 2>/dev/null | tr -cd '0-9a-f' | cut -c1-40)
            [ -n "$commit" ] || commit=unknown
            if [ -n "$(git -C '\(package)' status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-modified"; fi
            next="enum BuildInfo { static let commit = \\"$commit\\" }"
            [ "$(cat '\(file)' 2>/dev/null)" = "$next" ] || printf '%s\\n' "$next" > '\(file)'
            """
        return [.prebuildCommand(displayName: "Build info (commit)", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script], outputFilesDirectory: output)]
    }
}
