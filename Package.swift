// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Builds of the numeric libraries target the CPU they are built on, as -march=native
// would: Skylake-server-class code (AVX-512) where /proc/cpuinfo lists its five base extensions,
// Haswell-class code (AVX2, FMA) where it lists both, the portable baseline elsewhere. Their
// kernels use explicit fused multiply-adds, which are single instructions with FMA and slow
// library calls without it (about 10x slower notebooks), and some use 16-lane vectors, one
// register with AVX-512 (the KDE kernel: about 1.4x faster than in two AVX2 registers); Swift
// neither fuses nor reorders floating-point operations by itself, so results are the same bits
// either way. A binary built here needs such a CPU to run.
let hostCPU: String? = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let names = Set(flags.split(separator: " "))
    if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy({ names.contains(Substring($0)) }) {
        return "skylake-avx512"
    }
    return names.contains("avx2") && names.contains("fma") ? "haswell" : nil
}()
// Debug builds too, and the tests of these libraries with them: the Information kernels inline
// the header of CVectorMath (vector pieces Swift cannot spell, with an AVX-512 path), so the
// tests exercise the code release builds run; and SIMD values passed between modules built for
// different CPUs would not agree on registers.
let numericSettings: [SwiftSetting] = hostCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
let vectorMathSettings: [CSetting] = hostCPU.map { [.unsafeFlags(["-march=\($0)"])] } ?? []

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
        .target(name: "NumericCore", dependencies: ["CBLAS"], swiftSettings: numericSettings),
        .target(name: "Learning", dependencies: ["NumericCore"], swiftSettings: numericSettings),
        .target(name: "CVectorMath", cSettings: vectorMathSettings),
        .target(name: "Information", dependencies: ["NumericCore", "CBLAS", "Learning", "CVectorMath"], swiftSettings: numericSettings),
        .target(name: "Charts"),
        .target(name: "ScalingLaws", dependencies: ["NumericCore"], swiftSettings: numericSettings),

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
            "Workflow", "NumericCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore"], swiftSettings: numericSettings),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "NumericCore"], swiftSettings: numericSettings),
        .testTarget(name: "InformationTests", dependencies: ["Information", "Learning", "NumericCore"], swiftSettings: numericSettings),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"], exclude: ["Snapshots"]),
        .testTarget(name: "ScalingLawsTests", dependencies: ["ScalingLaws", "NumericCore"], swiftSettings: numericSettings),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Notebook"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "Engine", "Blocks", "Report", "Notebook", "ScalingLaws", "Learning"],
                    exclude: ["Fixtures", "Catalogue"]),
    ]
)
