import Foundation
import Report

/// Writes a report's files so that a reader never sees half a report: everything goes to a
/// temporary folder beside the target, which then replaces the old folder by renames.
public enum OutputWriter {
    public static func write(_ report: ReportFiles, to folder: URL) throws {
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let pid = ProcessInfo.processInfo.processIdentifier
        let temporary = parent.appendingPathComponent(".\(folder.lastPathComponent).tmp-\(pid)")
        let old = parent.appendingPathComponent(".\(folder.lastPathComponent).old-\(pid)")
        try? fm.removeItem(at: temporary)
        try? fm.removeItem(at: old)
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
            for (path, contents) in report.files {
                let file = temporary.appendingPathComponent(path)
                try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: file)
            }
            if fm.fileExists(atPath: folder.path) {
                try fm.moveItem(at: folder, to: old)
            }
            try fm.moveItem(at: temporary, to: folder)
            try? fm.removeItem(at: old)
        } catch {
            try? fm.removeItem(at: temporary)
            if !fm.fileExists(atPath: folder.path), fm.fileExists(atPath: old.path) {
                try? fm.moveItem(at: old, to: folder)
            }
            throw error
        }
    }
}
