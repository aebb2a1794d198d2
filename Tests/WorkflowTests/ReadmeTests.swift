import Blocks
import Engine
import Foundation
import Workflow
import XCTest

/// The README is the user's door: its example must run and every block kind must be documented.
final class ReadmeTests: XCTestCase {
    func readme() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    }

    func testTheExampleNotebookIsValid() throws {
        let text = try readme()
        let start = try XCTUnwrap(text.range(of: "````markdown\n"))
        let end = try XCTUnwrap(text.range(of: "````\n", range: start.upperBound..<text.endIndex))
        let loaded = Workflow().load(text: String(text[start.upperBound..<end.lowerBound]), path: "README.md")
        XCTAssertNotNil(loaded.graph, loaded.renderedDiagnostics)
        XCTAssertEqual(loaded.graph?.nodes.count, 4)
    }

    func testEveryKindAndKeyIsDocumented() throws {
        let text = try readme()
        for kind in KindRegistry.standard.sorted {
            XCTAssertTrue(text.contains("### `\(kind.name)` (version \(kind.version))"), "README section for \(kind.name) v\(kind.version)")
            for key in kind.keys {
                XCTAssertTrue(text.contains("`\(key.name)`"), "README mentions \(kind.name).\(key.name)")
            }
        }
    }
}
