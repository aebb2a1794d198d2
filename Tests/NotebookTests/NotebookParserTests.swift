import Notebook
import XCTest

final class NotebookParserTests: XCTestCase {
    let parser = NotebookParser(knownKinds: ["dataset", "estimator", "plot"])

    func parse(_ text: String, overrides: [(name: String, value: String)] = []) -> NotebookParser.Output {
        parser.parse(text, path: "nb.md", overrides: overrides)
    }

    func testFrontMatterBlocksAndLineNumbers() throws {
        let text = """
        ---
        title: Demo
        seed: 7
        units: bits
        params:
          n: 300
        ---
        # Heading

        Some prose.

        ```dataset pairs
        source: gaussian
        size: ${params.n}
        ```

        ```python
        print("not a block")
        ```
        """
        let out = parse(text)
        XCTAssertEqual(out.diagnostics, [])
        let nb = out.notebook
        XCTAssertEqual(nb.frontMatter.title, "Demo")
        XCTAssertEqual(nb.frontMatter.seed, 7)
        XCTAssertEqual(nb.frontMatter.units, "bits")
        XCTAssertEqual(nb.blocks.count, 1)
        let block = nb.blocks[0]
        XCTAssertEqual(block.kind, "dataset")
        XCTAssertEqual(block.id, "pairs")
        XCTAssertEqual(block.location, SourceLocation(line: 12, column: 1))
        XCTAssertEqual(block.idLocation, SourceLocation(line: 12, column: 12))
        XCTAssertEqual(block.lines, LineSpan(first: 12, last: 15))
        // Keys keep their file positions; the parameter became a typed integer.
        let size = try XCTUnwrap(block.spec?.entries?.first { $0.key == "size" })
        XCTAssertEqual(size.keyLocation, SourceLocation(line: 14, column: 1))
        XCTAssertEqual(size.value.content, .scalar(.int(300)))
        XCTAssertEqual(block.spec?["source"]?.location, SourceLocation(line: 13, column: 9))
        // The python fence stays in prose as a code sample.
        XCTAssertEqual(nb.cells.count, 3)
        guard case .prose(let last) = nb.cells[2] else { return XCTFail("expected prose") }
        XCTAssertTrue(last.text.contains("```python"))
        XCTAssertEqual(last.firstLine, 16)
    }

    func testParameterOverridesAreTypedByYAMLRules() {
        let text = "---\nparams:\n  n: 3\n  name: a\n  flag: false\n---\n```dataset d\nsize: ${params.n}\nlabel: ${params.name}\non: ${params.flag}\n```\n"
        let out = parse(text, overrides: [("n", "500"), ("name", "hello world"), ("flag", "true")])
        XCTAssertEqual(out.diagnostics, [])
        let spec = out.notebook.blocks[0].spec
        XCTAssertEqual(spec?["size"]?.content, .scalar(.int(500)))
        XCTAssertEqual(spec?["label"]?.content, .scalar(.string("hello world")))
        XCTAssertEqual(spec?["on"]?.content, .scalar(.bool(true)))
        XCTAssertTrue(out.notebook.frontMatter.params["n"]!.overridden)
        let float = parse(text, overrides: [("n", "2.5")]).notebook.blocks[0].spec
        XCTAssertEqual(float?["size"]?.content, .scalar(.float(2.5)))
    }

    func testUnknownParameterIsReportedWhereItIsUsed() {
        let text = "---\nparams:\n  epochs: 3\n---\n```dataset d\nsize: ${params.epoch}\n```\n"
        let out = parse(text)
        XCTAssertEqual(out.diagnostics.count, 1)
        let d = out.diagnostics[0]
        XCTAssertEqual(d.location, SourceLocation(line: 6, column: 7))
        XCTAssertEqual(d.message, "unknown parameter 'epoch'")
        XCTAssertTrue(d.notes.contains { $0.message.contains("did you mean 'epochs'") })
        XCTAssertEqual(d.rendered(path: "nb.md").components(separatedBy: "\n").first, "nb.md:6:7: error: unknown parameter 'epoch'")
    }

    func testUnknownOverrideIsAnError() {
        let out = parse("---\nparams:\n  epochs: 3\n---\n", overrides: [("epoch", "4")])
        XCTAssertEqual(out.diagnostics.count, 1)
        XCTAssertNil(out.diagnostics[0].location)
        XCTAssertTrue(out.diagnostics[0].message.contains("no parameter 'epoch'"))
    }

    func testInlineResultsAreFoundOutsideCode() {
        let text = "Accuracy {{ net.test_accuracy }} and `{{ not.this }}`.\n\n```text\n{{ nor.this }}\n```\n"
        let out = parse(text)
        XCTAssertEqual(out.diagnostics, [])
        let refs = out.notebook.proseCells.flatMap(\.inlineResults)
        XCTAssertEqual(refs.map(\.blockID), ["net"])
        XCTAssertEqual(refs[0].keyPath, ["test_accuracy"])
        XCTAssertEqual(refs[0].location, SourceLocation(line: 1, column: 10))
    }

    func testMalformedInlineResult() {
        let out = parse("Value {{ net }} here.\n")
        XCTAssertEqual(out.diagnostics.count, 1)
        XCTAssertEqual(out.diagnostics[0].location, SourceLocation(line: 1, column: 7))
    }

    func testUnknownKindMalformedIDAndMissingID() {
        let text = """
        ```estimater e1
        of: x
        ```

        ```dataset Bad_ID
        source: gaussian
        ```

        ```plot
        kind: line
        ```

        ```python demo
        print(1)
        ```
        """
        let out = parse(text)
        let messages = out.diagnostics.map(\.message)
        XCTAssertEqual(out.diagnostics.count, 4, "\(messages)")
        XCTAssertEqual(out.diagnostics[0].message, "unknown block kind 'estimater'")
        XCTAssertEqual(out.diagnostics[0].location, SourceLocation(line: 1, column: 4))
        XCTAssertTrue(out.diagnostics[0].notes.contains { $0.message == "did you mean 'estimator'?" })
        XCTAssertTrue(messages[1].hasPrefix("malformed block id 'Bad_ID'"))
        XCTAssertEqual(out.diagnostics[1].location, SourceLocation(line: 5, column: 12))
        XCTAssertTrue(messages[2].contains("needs an id"))
        XCTAssertEqual(messages[3], "unknown block kind 'python'")
    }

    func testYAMLSyntaxErrorPointsIntoTheFile() {
        let text = "Intro\n\n```dataset d\nsource: gaussian\nsize: [1, 2\n```\n"
        let out = parse(text)
        XCTAssertEqual(out.diagnostics.count, 1)
        XCTAssertTrue(out.diagnostics[0].message.hasPrefix("YAML syntax"))
        XCTAssertGreaterThanOrEqual(out.diagnostics[0].location?.line ?? 0, 5)
        XCTAssertNil(out.notebook.blocks.first?.spec)
    }

    func testDuplicateKeyInSpec() {
        let out = parse("```dataset d\nsize: 1\nsize: 2\n```\n")
        XCTAssertEqual(out.diagnostics.count, 1)
        XCTAssertTrue(out.diagnostics[0].message.contains("duplicate key 'size'"))
        XCTAssertEqual(out.diagnostics[0].location?.line, 3)
    }

    func testFrontMatterProblems() {
        let unknown = parse("---\ntitel: x\nseed: -1\n---\n")
        XCTAssertEqual(unknown.diagnostics.count, 2)
        XCTAssertEqual(unknown.diagnostics[0].message, "unknown front matter key 'titel'")
        XCTAssertTrue(unknown.diagnostics[0].notes.contains { $0.message == "did you mean 'title'?" })
        XCTAssertEqual(unknown.diagnostics[0].location, SourceLocation(line: 2, column: 1))
        XCTAssertTrue(unknown.diagnostics[1].message.contains("'seed' must be a non-negative integer"))
        let unclosed = parse("---\ntitle: x\n")
        XCTAssertEqual(unclosed.diagnostics.count, 1)
        XCTAssertTrue(unclosed.diagnostics[0].message.contains("never closed"))
    }

    func testBlocksInsideListsAreReported() {
        let out = parse("- item\n\n  ```dataset d\n  source: gaussian\n  ```\n")
        XCTAssertEqual(out.diagnostics.count, 1)
        XCTAssertTrue(out.diagnostics[0].message.contains("top level"))
    }

    func testCRLFLineEndingsKeepLineNumbers() {
        let out = parse("# T\r\n\r\n```dataset d\r\nsource: gaussian\r\n```\r\n")
        XCTAssertEqual(out.diagnostics, [])
        XCTAssertEqual(out.notebook.blocks.first?.spec?["source"]?.location, SourceLocation(line: 4, column: 9))
    }

    func testEmptySpecIsAnEmptyMapping() {
        let out = parse("```dataset d\n```\n")
        XCTAssertEqual(out.diagnostics, [])
        XCTAssertEqual(out.notebook.blocks.first?.spec?.entries?.count, 0)
    }

    func testNoTextCrashesTheParser() {
        // Odd inputs: unbalanced fences, stray templates, control characters, binary noise.
        var inputs = ["", "---", "---\n---", "```", "```dataset", "```dataset a b c\n", "${", "{{", "{{}}", "${params.}",
                      "```dataset d\n\u{0}\u{1}: [\n```", "---\n[1, 2]\n---\n", "---\nparams: 3\n---\n", "~~~dataset x\n: :\n~~~",
                      String(repeating: "`", count: 1000), "```dataset d\nx: *anchor\n```", "```dataset d\n- 1\n- 2\n```"]
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("`~-{}$[]:#\n \tabcdps.=0123456789\"'|>*&!%@")
        for _ in 0..<300 {
            inputs.append(String((0..<Int.random(in: 0..<200, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for input in inputs {
            _ = parse(input)
        }
    }
}
