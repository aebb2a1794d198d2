import Foundation
import XCTest

/// Every figure in the committed reports (Output/*/figures/*.svg) passes the checks a reader
/// would make: the charts users see today, not only the ones built in these tests.
final class CommittedFigureTests: XCTestCase {
    func testEveryCommittedFigureIsReadable() throws {
        let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Output")
        let reports = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        var checked = 0
        for report in reports {
            let figures = output.appendingPathComponent(report).appendingPathComponent("figures")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: figures.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".svg") {
                let svg = try String(contentsOf: figures.appendingPathComponent(file), encoding: .utf8)
                // Failures below are reported at the line of the check; this names the figure.
                print("checking Output/\(report)/figures/\(file)")
                XCTAssertNoThrow(try ChartChecks.assertReadable(svg), "\(report)/\(file)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0, "no committed figures found under \(output.path)")
    }
}
