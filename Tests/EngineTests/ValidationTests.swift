import Engine
import Notebook
import XCTest

final class ValidationTests: XCTestCase {
    func errors(_ text: String) -> [Diagnostic] {
        let out = build(text)
        XCTAssertNil(out.graph, "a notebook with errors must not give a graph")
        return out.diagnostics.filter { $0.severity == .error }
    }

    func testValidNotebookGivesGraphInFileOrder() throws {
        let out = build("```number a\nvalue: 1\n```\n```number b\nvalue: 2\n```\n```sum s\nof: [a, b]\n```\n")
        XCTAssertEqual(out.diagnostics, [])
        let graph = try XCTUnwrap(out.graph)
        XCTAssertEqual(graph.nodes.map(\.id), ["a", "b", "s"])
        XCTAssertEqual(graph["s"]?.dependencies, ["a", "b"])
        XCTAssertEqual(graph.descendants(of: "a"), ["s"])
        // Defaults are filled in; conditional keys stay out when their condition fails.
        XCTAssertEqual(graph["s"]?.spec["mode"], "plain")
        XCTAssertNil(graph["s"]?.spec["scale"])
        XCTAssertEqual(graph["a"]?.spec["sleep"], .double(0))
    }

    func testDuplicateID() {
        let e = errors("```number a\nvalue: 1\n```\n\n```number a\nvalue: 2\n```\n")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e[0].message, "duplicate block id 'a'")
        XCTAssertEqual(e[0].location, SourceLocation(line: 5, column: 11))
        XCTAssertEqual(e[0].notes.first?.location, SourceLocation(line: 1, column: 11))
    }

    func testDanglingReferenceSuggestsNearestID() {
        let e = errors("```number alpha\nvalue: 1\n```\n```sum s\nof: alpah\n```\n")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e[0].message, "'of' refers to 'alpah', but no block has that id")
        XCTAssertEqual(e[0].location, SourceLocation(line: 5, column: 5))
        XCTAssertEqual(e[0].notes.first?.message, "did you mean 'alpha'?")
    }

    func testReferenceToTheWrongKind() {
        let reg = KindRegistry([NumberKind(), SumKind(), OnlyNumbersKind()])
        let parsed = NotebookParser(knownKinds: reg.names).parse("```number a\nvalue: 1\n```\n```sum s\nof: a\n```\n```only t\nof: s\n```\n", path: "t.md")
        let out = GraphBuilder(registry: reg).build(parsed.notebook)
        XCTAssertNil(out.graph)
        XCTAssertEqual(out.diagnostics.map(\.message), ["'of' must name a number block, but 's' is a sum"])
        XCTAssertEqual(out.diagnostics[0].location, SourceLocation(line: 8, column: 5))
    }

    func testCycleIsReportedWithItsWholePath() {
        let e = errors("```sum a\nof: c\n```\n```sum b\nof: a\n```\n```sum c\nof: b\n```\n")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e[0].message, "dependency cycle: a -> c -> b -> a")
        XCTAssertEqual(e[0].notes.count, 3)
    }

    func testSelfReferenceIsACycle() {
        let e = errors("```sum a\nof: a\n```\n")
        XCTAssertEqual(e.map(\.message), ["dependency cycle: a -> a"])
    }

    func testUnknownKeySuggestsNearest() {
        let e = errors("```number a\nvalue: 1\nlabl: x\n```\n")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e[0].message, "unknown key 'labl' in number 'a'")
        XCTAssertEqual(e[0].location, SourceLocation(line: 3, column: 1))
        XCTAssertEqual(e[0].notes.first?.message, "did you mean 'label'?")
    }

    func testWrongTypeMissingRequiredAndOutOfRange() {
        let e = errors("```number a\nvalue: lots\n```\n```number b\nlabel: x\n```\n```number c\nvalue: 5000\n```\n```sum d\nof: [a]\nmode: fancy\n```\n")
        let messages = e.map(\.message)
        XCTAssertEqual(messages.count, 4, "\(messages)")
        XCTAssertEqual(messages[0], "'value' must be a number in [-1000.0, 1000.0], found a string")
        XCTAssertEqual(e[0].location, SourceLocation(line: 2, column: 8))
        XCTAssertTrue(messages[1].hasPrefix("missing required key 'value'"))
        XCTAssertEqual(e[1].location, SourceLocation(line: 4, column: 11))
        XCTAssertEqual(messages[2], "'value' must be at most 1000.0, found 5000.0")
        XCTAssertTrue(messages[3].hasPrefix("'mode' must be one of plain, scaled, found 'fancy'"))
    }

    func testConditionalKeyOutsideItsCondition() {
        let e = errors("```number a\nvalue: 1\n```\n```sum s\nof: a\nscale: 2\n```\n")
        XCTAssertEqual(e.map(\.message), ["'scale' applies only when mode is scaled"])
        XCTAssertNotNil(build("```number a\nvalue: 1\n```\n```sum s\nof: a\nmode: scaled\nscale: 2\n```\n").graph)
    }

    func testInlineResultTargets() {
        let e = errors("```number a\nvalue: 1\n```\n\nSee {{ b.value }} and {{ a.valeu }} and {{ a.value }}.\n")
        XCTAssertEqual(e.count, 2)
        XCTAssertEqual(e[0].message, "{{ b.value }} names no block: there is no block 'b'")
        XCTAssertEqual(e[0].location, SourceLocation(line: 5, column: 5))
        XCTAssertEqual(e[1].message, "{{ a.valeu }}: number 'a' has no result 'valeu'")
        XCTAssertEqual(e[1].notes.first?.message, "did you mean 'value'?")
    }

    func testEveryProblemIsReportedAtOnce() {
        let text = """
        ---
        params:
          n: 1
        ---
        ```number a
        value: ${params.m}
        ```
        ```number a
        value: 1
        ```
        ```sum s
        of: [a, missing]
        bogus: 1
        ```
        ```frobnicate x
        y: 1
        ```
        ```number bad
        value: [1
        ```
        Text {{ nowhere.value }}.
        """
        let e = errors(text)
        let messages = e.map(\.message)
        XCTAssertTrue(messages.contains("unknown parameter 'm'"), "\(messages)")
        XCTAssertTrue(messages.contains("duplicate block id 'a'"))
        XCTAssertTrue(messages.contains("'of' refers to 'missing', but no block has that id"))
        XCTAssertTrue(messages.contains("unknown key 'bogus' in sum 's'"))
        XCTAssertTrue(messages.contains("unknown block kind 'frobnicate'"))
        XCTAssertTrue(messages.contains { $0.hasPrefix("YAML syntax") })
        XCTAssertTrue(messages.contains("{{ nowhere.value }} names no block: there is no block 'nowhere'"))
        // Reported in file order.
        let lines = e.compactMap(\.location?.line)
        XCTAssertEqual(lines, lines.sorted())
    }

    func testGraphExports() throws {
        let graph = try XCTUnwrap(build("```number a\nvalue: 1\n```\n```sum s-1\nof: a\n```\n").graph)
        XCTAssertEqual(graph.rendered(as: .text), "number a  (lines 1–3)\nsum s-1   (lines 4–6)  <- a\n")
        let dot = graph.rendered(as: .dot)
        XCTAssertTrue(dot.hasPrefix("digraph notebook {"))
        XCTAssertTrue(dot.contains("\"a\" -> \"s-1\";"))
        let mermaid = graph.rendered(as: .mermaid)
        XCTAssertTrue(mermaid.contains("b_a --> b_s_1"))
    }
}

/// Accepts references to `number` blocks only.
struct OnlyNumbersKind: BlockKind {
    let name = "only"
    let version = 1
    let summary = "test"
    var keys: [KeySpec] { [KeySpec("of", .reference(kinds: ["number"]), required: true, doc: "input")] }
    var results: [ResultSpec] { [] }
    func run(_ input: BlockInput) throws -> BlockOutput { BlockOutput() }
    func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] { [] }
}
