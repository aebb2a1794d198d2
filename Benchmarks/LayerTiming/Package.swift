// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which differs between clones.
let infoPlane = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// A plain timing executable for the layer estimators (binning and KDE on every recorded layer
// and epoch of the Tishby net). It needs no package-benchmark, so it builds in about a minute:
//     cd Benchmarks/LayerTiming && swift run -c release layer-timing
let package = Package(
    name: "LayerTiming",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "layer-timing",
            dependencies: [
                .product(name: "Information", package: infoPlane),
                .product(name: "Learning", package: infoPlane),
            ],
            // A script-like main.swift with top-level state shared with concurrentPerform.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
