/// The exit codes of `infoplane`, documented in the README.
public enum ExitStatus: Int32, Sendable {
    /// Everything ran and every report was written.
    case success = 0
    /// The notebook is valid, but at least one block failed at run time (or was skipped
    /// because of one); the report was written with error boxes.
    case blockFailed = 1
    /// The command line was wrong (unknown option, missing file argument).
    case usage = 64
    /// The notebook has errors (printed as path:line:col: error: ...); nothing ran, nothing was written.
    case invalidNotebook = 65
    /// A file could not be read or written.
    case ioError = 74
}
