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

final class CrossReferenceScanTests: XCTestCase {
    func testReferencesButNotAddressesOrCode() {
        let forms = TemplateScanner.scan("See @fig-truth, (@tbl-a) and @net-2. Mail a@b.org or x.@y; `@fig-code`; @Upper.", skipCodeSpans: true, inlineResults: true).map(\.form)
        XCTAssertEqual(forms, [.crossReference(blockID: "fig-truth"), .crossReference(blockID: "tbl-a"), .crossReference(blockID: "net-2")])
        XCTAssertEqual(TemplateScanner.scan("at the end @fig-a-", skipCodeSpans: true, inlineResults: true).map(\.form), [.crossReference(blockID: "fig-a")])
        XCTAssertEqual(TemplateScanner.scan("user@host.com", skipCodeSpans: true, inlineResults: true), [])
    }
}
