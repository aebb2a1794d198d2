import Foundation
import Report

#if canImport(Glibc)
import Glibc
#endif

/// Writes a report's files so that a reader never sees half a report: everything goes to a
/// temporary folder beside the target, which then replaces the old folder by renames. Two runs
/// writing the same report take turns (an advisory lock per report), and an interrupted run's
/// temporary folder is removed on the way out or by the next run.
public enum OutputWriter {
    public static func write(_ report: ReportFiles, to folder: URL) throws {
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let lock = try ReportLock(parent.appendingPathComponent(".\(folder.lastPathComponent).lock"))
        defer { lock.release() }
        removeStaleTemporaries(in: parent, for: folder.lastPathComponent)

        let pid = ProcessInfo.processInfo.processIdentifier
        let temporary = parent.appendingPathComponent(".\(folder.lastPathComponent).tmp-\(pid)")
        let old = parent.appendingPathComponent(".\(folder.lastPathComponent).old-\(pid)")
        Interruption.removeOnInterrupt(temporary)
        defer { Interruption.forget(temporary) }
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

    /// `.NAME.tmp-PID` and `.NAME.old-PID` folders left by runs that no longer exist.
    static func removeStaleTemporaries(in parent: URL, for name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for entry in entries where entry.hasPrefix(".\(name).tmp-") || entry.hasPrefix(".\(name).old-") {
            guard let pid = Int32(entry.split(separator: "-").last ?? "") else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }
}

/// An exclusive advisory lock on a file, held until released or the process ends.
struct ReportLock {
    private let descriptor: Int32

    init(_ url: URL) throws {
        descriptor = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            FileHandle.standardError.write(Data("waiting for another run writing the same report (\(url.path))\n".utf8))
            flock(descriptor, LOCK_EX)
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Ctrl-C: finished blocks are already in the cache; remove the temporary report folder being
/// written, say so, and exit with 130 as shells expect.
public enum Interruption {
    private static let state = State()

    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var paths: Set<String> = []
        var source: DispatchSourceSignal?
    }

    /// Installs the SIGINT handler (once).
    public static func install() {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard state.source == nil else { return }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            state.lock.lock()
            let paths = state.paths
            state.lock.unlock()
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
            FileHandle.standardError.write(Data("interrupted: blocks that finished are cached; rerun to continue\n".utf8))
            exit(130)
        }
        source.resume()
        state.source = source
    }

    static func removeOnInterrupt(_ url: URL) {
        state.lock.lock(); state.paths.insert(url.path); state.lock.unlock()
    }

    static func forget(_ url: URL) {
        state.lock.lock(); state.paths.remove(url.path); state.lock.unlock()
    }
}
