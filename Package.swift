// swift-tools-version: 6.1
import PackageDescription

// Data flows one way: text -> Notebook -> Engine (graph, run, cache) -> Report.
// Domain libraries (NumericCore, Learning, Information, Charts, ScalingLaws) never import Notebook or Engine.
let package = Package(
    name: "InfoPlane",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "infoplane", targets: ["infoplane"]),
        .library(name: "Workflow", targets: ["Workflow"]),
        .library(name: "Information", targets: ["Information"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "Charts", targets: ["Charts"]),
        .library(name: "ScalingLaws", targets: ["ScalingLaws"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries from Debian (libcmark-dev, libopenblas-dev, liblapacke-dev).
        .systemLibrary(name: "CCMark", pkgConfig: "libcmark",
                       providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

        // Domain libraries: usable from Swift without any notebook.
        .target(name: "NumericCore", dependencies: ["CBLAS"]),
        .target(name: "Learning", dependencies: ["NumericCore"]),
        .target(name: "Information", dependencies: ["NumericCore", "CBLAS", "Learning"]),
        .target(name: "Charts"),
        .target(name: "ScalingLaws", dependencies: ["NumericCore"]),

        // The notebook engine.
        .target(name: "Notebook", dependencies: ["CCMark", "Yams"]),
        .target(name: "Engine", dependencies: [
            "Notebook", "Yams",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Blocks", dependencies: ["Engine", "NumericCore", "Learning", "Information", "Charts", "ScalingLaws"]),
        .target(name: "Report", dependencies: ["Engine", "Notebook", "CCMark"]),
        .target(name: "Workflow", dependencies: ["Notebook", "Engine", "Blocks", "Report"]),
        .executableTarget(name: "infoplane", dependencies: [
            "Workflow",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "NumericCore"]),
        .testTarget(name: "InformationTests", dependencies: ["Information", "Learning", "NumericCore"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"], exclude: ["Snapshots"]),
        .testTarget(name: "ScalingLawsTests", dependencies: ["ScalingLaws", "NumericCore"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Notebook"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "Engine", "Blocks", "Report", "Notebook", "ScalingLaws"],
                    exclude: ["Fixtures", "Catalogue"]),
    ]
)
