import Learning
import Workflow
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer drives this function with arbitrary bytes: read as a notebook, they must give a
/// graph or diagnostics, and read as CSV, NPY or IDX data a table or an error; never a crash,
/// a hang or a sanitizer report.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let loaded = Workflow().load(bytes: bytes, path: "fuzz.md", overrides: [("n", "3")])
    // Every diagnostic must render; a graph must export in every format.
    _ = loaded.renderedDiagnostics
    if let graph = loaded.graph {
        for format in ["text", "dot", "mermaid"] { _ = graph.rendered(named: format) }
    }
    // The same bytes as data files: a reader may refuse them, never crash on them.
    if let table = try? CSVTable.parse(bytes), let first = table.header.first {
        _ = try? table.numbers(columns: [first])
        _ = try? table.classes(column: first)
    }
    _ = try? NPYArray.parse(bytes)
    _ = try? IDXArray.parse(bytes)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// SwiftPM gives executables a main of their own, so libFuzzer's driver is entered from here.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv) { data, count in fuzzOne(data, count) })
