import Charts
import Foundation
import XCTest

/// A few charts from fixed data, compared byte for byte with the SVG files committed under
/// Tests/ChartsTests/Snapshots/. After an intended change of the drawing, rewrite them with
///
///     UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests
///
/// and look at the new files (and their diff) before committing them.
final class SnapshotTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func assertSnapshot(_ svg: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.folder.appendingPathComponent("\(name).svg")
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try svg.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let committed = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no snapshot \(url.path): run UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests", file: file, line: line)
            return
        }
        XCTAssertEqual(svg, committed, "\(name).svg differs from its snapshot", file: file, line: line)
    }

    func testLogLogWithCurvesAndCrossover() throws {
        try assertSnapshot(ScalingFixture.chart.svg(), named: "loglog")
    }

    func testGroupedBarsWithErrorBars() throws {
        try assertSnapshot(BarChartTests.chart.svg(), named: "bar")
    }

    func testLineWithBand() throws {
        try assertSnapshot(LineBandTests.chart.svg(), named: "line-band")
    }

    func testInformationPlaneWithBoundsAndArrows() throws {
        try assertSnapshot(InformationPlaneBoundsTests.plane(epochs: 12, layers: 3, bounds: true, arrows: true).svg(), named: "plane-bounds")
    }
}
