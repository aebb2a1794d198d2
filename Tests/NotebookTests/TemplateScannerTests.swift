import Notebook
import XCTest

final class TemplateScannerTests: XCTestCase {
    func testFindsBothForms() {
        let found = TemplateScanner.scan("a ${params.x} b {{ m.loss.final }} c", skipCodeSpans: true, inlineResults: true)
        XCTAssertEqual(found.map(\.form), [.parameter(name: "x"), .inlineResult(blockID: "m", keyPath: ["loss", "final"])])
        XCTAssertEqual(found[0].column, 3)
    }

    func testSkipsCodeSpansOnlyWhenAsked() {
        let line = "`${params.x}` ``{{ a.b }}``"
        XCTAssertEqual(TemplateScanner.scan(line, skipCodeSpans: true, inlineResults: true), [])
        XCTAssertEqual(TemplateScanner.scan(line, skipCodeSpans: false, inlineResults: true).count, 2)
    }

    func testIDsAndNames() {
        XCTAssertTrue(TemplateScanner.isID("fig-plane2"))
        XCTAssertFalse(TemplateScanner.isID("Fig"))
        XCTAssertFalse(TemplateScanner.isID("2fig"))
        XCTAssertFalse(TemplateScanner.isID("a_b"))
        XCTAssertTrue(TemplateScanner.isName("test_accuracy"))
        XCTAssertFalse(TemplateScanner.isName("1x"))
    }

    func testNameSuggestion() {
        XCTAssertEqual(NameSuggestion.nearest(to: "bins", in: ["bins", "k", "method"]), "bins")
        XCTAssertEqual(NameSuggestion.nearest(to: "methd", in: ["bins", "k", "method"]), "method")
        XCTAssertNil(NameSuggestion.nearest(to: "zzzzzz", in: ["bins", "k", "method"]))
        XCTAssertEqual(NameSuggestion.distance("kitten", "sitting"), 3)
    }
}
