import Engine
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Workflow
import XCTest

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixtures = packageRoot.appendingPathComponent("Tests/WorkflowTests/Fixtures")

final class WorkflowTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-workflow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    func run(_ notebook: String, output: String = "out", cache: String? = "cache", jobs: Int = 2, force: Bool = false,
             overrides: [(name: String, value: String)] = []) async -> Workflow.RunResult {
        let settings = Workflow.Settings(outputRoot: scratch.appendingPathComponent(output),
                                         cacheDirectory: cache.map { scratch.appendingPathComponent($0) },
                                         run: RunOptions(jobs: jobs, force: force), overrides: overrides)
        return await Workflow().run(path: notebook, settings: settings) { _ in }
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: scratch.appendingPathComponent(path), encoding: .utf8)
    }

    func testReportHasEveryPartAndMatchesItsResults() async throws {
        let result = await run(fixtures.appendingPathComponent("small.md").path)
        XCTAssertEqual(result.status, .success)
        let html = try read("out/small/index.html")
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>Small</title>"))
        XCTAssertTrue(html.contains("<nav class=\"toc\""))
        XCTAssertTrue(html.contains("<a href=\"#estimates\">Estimates</a>"))
        XCTAssertFalse(html.contains("<script"), "no JavaScript")
        for id in ["d1", "d2", "g1", "k1", "g2", "t", "p"] {
            XCTAssertTrue(html.contains("id=\"block-\(id)\""), id)
        }
        XCTAssertEqual(html.components(separatedBy: "<figure").count - 1, 1)
        XCTAssertTrue(html.contains("Figure 1.</span> Estimates against truth."))
        XCTAssertTrue(html.contains("Table 1.</span> All estimates."))
        XCTAssertEqual(html.components(separatedBy: "<details class=\"spec\">").count - 1, 7)

        // Inline results show exactly what results.json holds, formatted once.
        let json = try JSON.decode(try read("out/small/results.json"))
        let blocks = try XCTUnwrap(json["blocks"]?.arrayValue)
        XCTAssertEqual(blocks.compactMap { $0["id"]?.stringValue }, ["d1", "d2", "g1", "k1", "g2", "t", "p"])
        func resultValue(_ id: String, _ key: String) -> Value? { blocks.first { $0["id"]?.stringValue == id }?["results"]?[key] }
        let ksg = try XCTUnwrap(resultValue("k1", "mi")?.doubleValue)
        XCTAssertTrue(html.contains("<span class=\"result\" title=\"{{ k1.mi }}\">\(NumberFormatting.format(ksg))</span>"))
        XCTAssertEqual(resultValue("g2", "units"), "bits")
        XCTAssertEqual(resultValue("d1", "mi"), .double(0.5))
        XCTAssertEqual(json["params"]?["n"], .int(400))
        let md = try read("out/small/index.md")
        XCTAssertTrue(md.contains("The KSG estimate is \(NumberFormatting.format(ksg)) and the truth 0.500"))
        XCTAssertTrue(md.contains("![Figure 1. Estimates against truth.](figures/p.svg)"))
        XCTAssertTrue(md.contains("| block | method | mi | truth |"))

        let svg = try read("out/small/figures/p.svg")
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "figure is well-formed XML")
        XCTAssertTrue(html.contains(svg), "the page inlines the same figure")
    }

    func testRerunsGiveTheSameBytes() async throws {
        let path = fixtures.appendingPathComponent("small.md").path
        _ = await run(path, output: "a")
        let cached = await run(path, output: "b")
        XCTAssertTrue(cached.outcomes.values.allSatisfy { $0.status == .cached })
        _ = await run(path, output: "c", jobs: 1, force: true)
        _ = await run(path, output: "d", cache: nil, jobs: 4)
        let files = ["index.html", "index.md", "results.json", "figures/p.svg"]
        for file in files {
            let reference = try read("a/small/\(file)")
            for other in ["b", "c", "d"] {
                XCTAssertEqual(try read("\(other)/small/\(file)"), reference, "\(other)/\(file)")
            }
        }
        let changed = await run(path, output: "e", overrides: [("n", "401")])
        XCTAssertEqual(changed.status, .success)
        XCTAssertNotEqual(try read("e/small/results.json"), try read("a/small/results.json"))
    }

    func testCrossReferencesBecomeNumberedLinks() async throws {
        let folder = scratch!
        let text = try String(contentsOf: fixtures.appendingPathComponent("small.md"), encoding: .utf8)
            + "\nAs @p shows, and @t lists (see also @d1; mail me at a@b.org).\n"
        try text.write(to: folder.appendingPathComponent("xref.md"), atomically: true, encoding: .utf8)
        let result = await run(folder.appendingPathComponent("xref.md").path)
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let html = try read("out/xref/index.html")
        XCTAssertTrue(html.contains("As <a class=\"xref\" href=\"#figure-1\">Figure 1</a> shows, and <a class=\"xref\" href=\"#table-1\">Table 1</a> lists"), html)
        XCTAssertTrue(html.contains("<a class=\"xref\" href=\"#block-d1\">d1</a>"))
        XCTAssertTrue(html.contains("a@b.org"))
        XCTAssertTrue(html.contains("<figure id=\"figure-1\">"))
        let md = try read("out/xref/index.md")
        XCTAssertTrue(md.contains("As [Figure 1](#figure-1) shows, and [Table 1](#table-1) lists"))
        XCTAssertTrue(md.contains("<a id=\"figure-1\"></a>"))

        let broken = await run(try { () throws -> String in
            let path = folder.appendingPathComponent("broken.md")
            try "```dataset fig-data\nsource: gaussian\n```\n\nSee @fig-dta.\n".write(to: path, atomically: true, encoding: .utf8)
            return path.path
        }())
        XCTAssertEqual(broken.status, .invalidNotebook)
        XCTAssertTrue(broken.loaded.renderedDiagnostics.contains("broken.md:5:5: error: @fig-dta refers to no block"), broken.loaded.renderedDiagnostics)
    }

    func testFailedBlockIsShownAndOthersStillRun() async throws {
        let result = await run(fixtures.appendingPathComponent("failing.md").path)
        XCTAssertEqual(result.status, .blockFailed)
        XCTAssertEqual(result.outcomes["good"]?.status, .computed)
        XCTAssertEqual(result.outcomes["after-bad"]?.status, .notRun("'bad' failed"))
        guard case .failed(let message)? = result.outcomes["bad"]?.status else { return XCTFail("bad must fail") }
        XCTAssertTrue(message.contains("needs more than 5 samples"), message)
        let html = try read("out/failing/index.html")
        XCTAssertTrue(html.contains("<div class=\"error-box\" role=\"alert\">"))
        XCTAssertTrue(html.contains("Block <code>bad</code> failed</strong> (estimator, lines 15–19)"))
        XCTAssertTrue(html.contains("<strong>Not run:</strong> <code>after-bad</code>"))
        XCTAssertTrue(html.contains("{{ bad.mi }}: not computed"))
        let json = try JSON.decode(try read("out/failing/results.json"))
        let bad = json["blocks"]?.arrayValue?.first { $0["id"] == "bad" }
        XCTAssertEqual(bad?["status"], "failed")
        XCTAssertTrue(try read("out/failing/index.md").contains("> [!CAUTION]"))
    }

    func testInvalidNotebookWritesNothing() async throws {
        let result = await run(fixtures.appendingPathComponent("invalid.md").path)
        XCTAssertEqual(result.status, .invalidNotebook)
        XCTAssertEqual(result.loaded.diagnostics.count, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out").path))
        let rendered = result.loaded.renderedDiagnostics
        XCTAssertTrue(rendered.contains("invalid.md:6:9: error: 'source' must be one of gaussian, student-t, tishby12, mnist1d, gaussian-images, friedman1, csv, npy, idx, found 'gausian'; did you mean 'gaussian'?"), rendered)
        XCTAssertTrue(rendered.contains("invalid.md:11:5: error: 'of' refers to 'missing', but no block has that id"), rendered)
    }

    func testAnExistingReportSurvivesAnInvalidRun() async throws {
        let small = fixtures.appendingPathComponent("small.md").path
        _ = await run(small)
        let before = try read("out/small/index.html")
        let copy = scratch.appendingPathComponent("small.md")
        try (try String(contentsOfFile: small, encoding: .utf8)).replacingOccurrences(of: "method: ksg", with: "method: kgs")
            .write(to: copy, atomically: true, encoding: .utf8)
        let result = await run(copy.path)
        XCTAssertEqual(result.status, .invalidNotebook)
        XCTAssertEqual(try read("out/small/index.html"), before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("out").path)
            .filter { !$0.hasSuffix(".lock") }
        XCTAssertEqual(leftovers, ["small"], "no temporary folders left behind")
    }

    func testEverythingFromTheNotebookIsEscaped() async throws {
        let result = await run(fixtures.appendingPathComponent("evil.md").path)
        XCTAssertEqual(result.status, .success)
        let html = try read("out/evil/index.html")
        for needle in ["<script", "<img", "<b "] {
            XCTAssertFalse(html.lowercased().contains(needle), "HTML contains \(needle)")
        }
        // No real tag carries an event handler or a javascript: link.
        for tag in Self.tags(in: html) {
            let lowered = tag.lowercased()
            XCTAssertNil(lowered.range(of: #"\son[a-z]+\s*="#, options: .regularExpression), tag)
            XCTAssertFalse(lowered.contains("javascript:"), tag)
        }
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(9)&lt;/script&gt; &amp; *not emphasis*"))
        let svg = try read("out/evil/figures/p.svg")
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertTrue(XMLParser(data: Data(svg.utf8)).parse())
        // Outside fenced code (where the specs are shown as written), no raw HTML survives.
        var inFence = false
        let md = try read("out/evil/index.md").split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("```") { inFence.toggle(); return false }
            return !inFence
        }.joined(separator: "\n")
        XCTAssertFalse(md.contains("<script"), "raw HTML in the Markdown report")
        XCTAssertFalse(md.contains("<img"))
        XCTAssertFalse(md.contains("<div onclick"))
        let json = try read("out/evil/results.json")
        XCTAssertFalse(json.contains("<script"))
    }

    /// The text of every tag in an HTML document (`<a href=...>`), comments excluded.
    static func tags(in html: String) -> [String] {
        var tags: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            if after.hasPrefix("!--"), let end = after.range(of: "-->") {
                rest = after[end.upperBound...]
                continue
            }
            guard let close = after.firstIndex(of: ">") else { break }
            tags.append(String(rest[open...close]))
            rest = after[after.index(after: close)...]
        }
        return tags
    }

    /// The committed report must be what the committed notebook renders to today.
    func testCommittedQuickstartReportIsUpToDate() async throws {
        let notebook = packageRoot.appendingPathComponent("Notebooks/quickstart.md").path
        let result = await run(notebook, cache: nil)
        XCTAssertEqual(result.status, .success)
        let committed = packageRoot.appendingPathComponent("Output/quickstart")
        let files = try FileManager.default.subpathsOfDirectory(atPath: scratch.appendingPathComponent("out/quickstart").path)
            .filter { !$0.hasSuffix("figures") }.sorted()
        XCTAssertEqual(files, ["figures/fig-error.svg", "figures/fig-truth.svg", "index.html", "index.md", "results.json"])
        for file in files {
            let fresh = try read("out/quickstart/\(file)")
            let old = try String(contentsOf: committed.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(fresh, old, "Output/quickstart/\(file) is stale: run `make run` and commit Output/")
        }
    }
}

final class ModelBlockTests: XCTestCase {
    func testModelBlockTrainsRecordsAndReports() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let settings = Workflow.Settings(outputRoot: scratch.appendingPathComponent("out"), cacheDirectory: scratch.appendingPathComponent("cache"))
        let result = await Workflow().run(path: fixtures.appendingPathComponent("model.md").path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .success)
        let net = try XCTUnwrap(result.outcomes["net"]?.output)
        XCTAssertEqual(net.values["parameters"], .int(12 * 6 + 6 + 6 * 3 + 3 + 3 * 2 + 2))
        XCTAssertEqual(net.values["history"]?["epoch"]?.arrayValue?.count, 5)
        XCTAssertEqual(net.arrays["recorded_epochs"]?.values, [0, 2, 4])
        XCTAssertEqual(net.arrays["layer1"]?.shape, [3, 4096, 6])
        XCTAssertEqual(net.arrays["layer3"]?.shape, [3, 4096, 2])
        if case .float32 = net.arrays["layer1"]!.storage {} else { XCTFail("recordings are stored as Float32") }
        // ReLU layers are non-negative.
        XCTAssertTrue(net.arrays["layer1"]!.floats.allSatisfy { $0 >= 0 })
        let bits = try XCTUnwrap(result.outcomes["bits"]?.output)
        XCTAssertEqual(bits.values["test"], .int(Int((0.2 * 2118).rounded()) + Int((0.2 * 1978).rounded())))
        let html = try String(contentsOf: scratch.appendingPathComponent("out/model/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Learning curves of net"))

        // Binning on the recordings: one value per layer and recorded epoch, within [0, log 4096].
        let bins = try XCTUnwrap(result.outcomes["bins"]?.output)
        XCTAssertEqual(bins.values["epochs"], [0, 2, 4])
        let ixt = try XCTUnwrap(bins.values["ixt"]?.arrayValue)
        XCTAssertEqual(ixt.count, 3)
        for layer in ixt {
            XCTAssertEqual(layer.arrayValue?.count, 3)
            XCTAssertTrue(layer.arrayValue!.allSatisfy { ($0.doubleValue ?? -1) >= 0 && $0.doubleValue! <= log(4096) + 1e-9 })
        }
        let ity = try XCTUnwrap(bins.values["ity"]?.arrayValue)
        // I(T;Y) ≤ I(X;T) and ≤ H(Y) ≤ log 2, at every layer and epoch.
        for (x, y) in zip(ixt, ity) {
            for (a, b) in zip(x.arrayValue!, y.arrayValue!) {
                XCTAssertLessThanOrEqual(b.doubleValue!, a.doubleValue! + 1e-9)
                XCTAssertLessThanOrEqual(b.doubleValue!, log(2) + 1e-9)
            }
        }
        let last = try XCTUnwrap(bins.values["layers"]?["3"]?["ixt_last"]?.doubleValue)
        XCTAssertTrue(html.contains(NumberFormatting.format(last)))
        XCTAssertTrue(html.contains("<g class=\"panel\" data-name=\"bins\">"))
        // The recordings come back from the cache exactly (read whole, as a block that needs them would).
        let again = await Workflow().run(path: fixtures.appendingPathComponent("model.md").path, settings: settings) { _ in }
        let cached = try XCTUnwrap(again.outcomes["net"])
        XCTAssertEqual(cached.status, .cached)
        XCTAssertEqual(cached.output?.values, net.values)
        guard case .hit(let entry)? = settings.cacheDirectory.map({ BlockCache(directory: $0).load(key: cached.cacheKey) }) else {
            return XCTFail("the model's entry is in the cache")
        }
        XCTAssertEqual(entry.output, net)
    }

    func testModelSpecErrorsPointIntoNestedRecords() {
        let text = """
        ```dataset bits
        source: tishby12
        ```

        ```model net
        data: bits
        layers: [10, 0]
        optimizer: {name: adm, lr: -1}
        record: {epoch: 5}
        loss: hinge
        ```
        """
        let loaded = Workflow().load(text: text, path: "m.md")
        XCTAssertNil(loaded.graph)
        let rendered = loaded.renderedDiagnostics
        XCTAssertTrue(rendered.contains("m.md:7:14: error: 'layers' must be at least 1, found 0"), rendered)
        XCTAssertTrue(rendered.contains("m.md:8:19: error: 'name' must be one of sgd, adam, found 'adm'; did you mean 'adam'?"), rendered)
        XCTAssertTrue(rendered.contains("m.md:8:28: error: 'lr' must be at least 1e-12, found -1.0"), rendered)
        XCTAssertTrue(rendered.contains("m.md:9:10: error: unknown key 'epoch' in 'record' of model 'net'"), rendered)
        XCTAssertTrue(rendered.contains("did you mean 'epochs'?"), rendered)
        XCTAssertTrue(rendered.contains("m.md:10:7: error: 'loss' must be one of cross-entropy, mse, cs-divergence, found 'hinge'"), rendered)
    }

    func testEstimatorMethodsMustFitWhatTheyEstimate() {
        let text = """
        ```dataset bits
        source: tishby12
        ```

        ```dataset g
        source: gaussian
        ```

        ```model net
        data: bits
        layers: [3]
        ```

        ```estimator a
        of: net
        method: ksg
        ```

        ```estimator b
        of: g
        method: binning
        ```

        ```estimator c
        of: g
        method: gaussian
        ```

        ```plot p
        kind: information-plane
        from: [c]
        ```
        """
        let rendered = Workflow().load(text: text, path: "e.md").renderedDiagnostics
        XCTAssertTrue(rendered.contains("e.md:16:9: error: method 'ksg' does not apply to model 'net'"), rendered)
        XCTAssertTrue(rendered.contains("e.md:21:9: error: method 'binning' does not apply to dataset 'g'"), rendered)
        XCTAssertTrue(rendered.contains("error: an information plane draws estimators on models, but 'c' is an estimator on a dataset"), rendered)
    }

    func testCrossEntropyOnRegressionDataFailsClearly() async throws {
        let text = "```dataset g\nsource: gaussian\nsize: 50\n```\n\n```model m\ndata: g\nlayers: [3]\nepochs: 1\n```\n"
        let loaded = Workflow().load(text: text, path: "r.md")
        let graph = try XCTUnwrap(loaded.graph)
        let outcomes = await Runner(graph: graph, cache: nil, options: RunOptions(jobs: 1)).run()
        guard case .failed(let message)? = outcomes["m"]?.status else { return XCTFail("must fail") }
        XCTAssertTrue(message.contains("cross-entropy needs class labels"), message)
    }
}
