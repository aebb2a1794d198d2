// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A libFuzzer target over parse + validate, in its own package: it links only when built with
// `-sanitize=fuzzer`, which `make fuzz` does. The corpus starts from Notebooks/ and the catalogue.
let infoPlane = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "InfoPlaneFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "NotebookFuzzer", dependencies: [
            .product(name: "Workflow", package: infoPlane),
            .product(name: "Learning", package: infoPlane),
        ]),
    ]
)
