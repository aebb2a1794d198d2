// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which differs between clones.
let infoPlane = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// A plain timing executable for the KSG estimator on 5000-sample Gaussian pairs:
//     cd Benchmarks/KSGTiming && swift run -c release ksg-timing
let package = Package(
    name: "KSGTiming",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "ksg-timing",
            dependencies: [
                .product(name: "Information", package: infoPlane),
                .product(name: "Learning", package: infoPlane),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
