import Foundation

/// Where a notebook lives and which folders its blocks may read, for blocks that load files.
public struct RunEnvironment: Sendable {
    /// The folder holding the notebook; relative paths in specs start here.
    public var notebookDirectory: URL
    /// Folders outside the notebook's that `--allow-read` opened.
    public var allowedDirectories: [URL]

    public init(notebookDirectory: URL, allowedDirectories: [URL] = []) {
        self.notebookDirectory = notebookDirectory.standardizedFileURL
        self.allowedDirectories = allowedDirectories.map(\.standardizedFileURL)
    }

    public struct AccessError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The file a spec names, with symbolic links resolved, if it may be read.
    public func readableFile(_ path: String) throws -> URL {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : notebookDirectory.appendingPathComponent(path)
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
        let roots = ([notebookDirectory] + allowedDirectories).map { $0.resolvingSymlinksInPath().path }
        guard roots.contains(where: { resolved.path == $0 || resolved.path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw AccessError(description: "'\(path)' is outside the notebook's folder; pass --allow-read DIR to read from DIR")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory) else {
            throw AccessError(description: "no file '\(path)'")
        }
        guard !isDirectory.boolValue else { throw AccessError(description: "'\(path)' is a folder, not a file") }
        return resolved
    }
}
