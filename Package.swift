// swift-tools-version:6.0
// VLA Workbench: reproducible experiments on action tokenization for robot policies.
import PackageDescription

/// The engine's elementwise loops are vectorised for the build machine's own vector width (AVX2 or
/// AVX-512 instead of x86-64's baseline SSE2); the workbench is built where it runs.
#if arch(x86_64)
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"]), .define("ENGINE_TARGET_CPU_NATIVE")]
#else
let engineSettings: [SwiftSetting] = []
#endif

/// Library modules, lowest first. One idea per module; see each folder's README.md.
let package = Package(
    name: "VLAWorkbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        .executable(name: "chapter-foundations", targets: ["chapter-foundations"]),
        .executable(name: "chapter-architectures", targets: ["chapter-architectures"]),
        .executable(name: "chapter-data", targets: ["chapter-data"]),
        .executable(name: "chapter-training", targets: ["chapter-training"]),
        .executable(name: "chapter-evaluation", targets: ["chapter-evaluation"]),
        .executable(name: "chapter-deployment", targets: ["chapter-deployment"]),
        .executable(name: "chapter-applications", targets: ["chapter-applications"]),
        .executable(name: "chapter-future", targets: ["chapter-future"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System shims (internal, prefixed `_`).
        .systemLibrary(
            name: "_OpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "_GnuplotBridge",
            linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("stdc++")]),

        // Libraries, bottom to top (see Sources/README.md).
        .target(name: "Support", dependencies: [.product(name: "Crypto", package: "swift-crypto")], exclude: ["README.md"]),
        .target(name: "ActionData", dependencies: ["Support", "ZIPFoundation"], exclude: ["README.md"]),
        .target(name: "Metrics", dependencies: ["ActionData"], exclude: ["README.md"]),
        .target(name: "Engine", dependencies: ["_OpenBLAS", "Support"], exclude: ["README.md"], swiftSettings: engineSettings),
        .target(name: "Tokenizers", dependencies: ["ActionData", "Engine", "Metrics", "Support", "_OpenBLAS"], exclude: ["README.md"]),
        .target(name: "Policies", dependencies: ["Engine", "Tokenizers", "ActionData", "Metrics", "Support"], exclude: ["README.md"]),
        .target(name: "Simulation", dependencies: ["Metrics", "Support"], exclude: ["README.md"]),
        .target(name: "Figures", dependencies: ["_GnuplotBridge", "Support"], exclude: ["README.md"]),
        .target(name: "Literate", dependencies: ["Support"], exclude: ["README.md"]),
        .target(name: "Experiments", dependencies: ["Support", "Metrics", "Figures", "TOMLKit"], exclude: ["README.md"]),
        .target(name: "Lab", dependencies: ["ActionData", "Experiments", "Figures", "Metrics", "Policies", "Simulation", "Support", "Tokenizers"], exclude: ["README.md"]),
        .target(
            name: "Chapters",
            dependencies: ["Experiments", "Lab", "Metrics", "ActionData", "Engine", "Tokenizers", "Policies", "Simulation", "Figures", "Support"],
            exclude: ["README.md"]),
        .target(
            name: "Runner",
            dependencies: [
                "Experiments", "Metrics", "Figures", "Literate", "Engine", "Support",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),
        .target(name: "Benchmarks", dependencies: ["ActionData", "Engine", "Experiments", "Lab", "Policies", "Support", "Tokenizers"], exclude: ["README.md"]),

        // Executables: one per chapter, one for cross-chapter work.
        .executableTarget(name: "chapter-foundations", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-architectures", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-data", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-training", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-evaluation", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-deployment", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-applications", dependencies: ["Chapters", "Runner"]),
        .executableTarget(name: "chapter-future", dependencies: ["Chapters", "Runner"]),
        .executableTarget(
            name: "workbench",
            dependencies: [
                "Benchmarks", "Chapters", "Experiments", "Runner", "ActionData", "Tokenizers", "Policies", "Engine", "Literate", "Metrics", "Support",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests: one target per module, plus the manifest's own check.
        .testTarget(name: "SupportTests", dependencies: ["Support"], exclude: ["Fixtures"]),
        .testTarget(name: "ActionDataTests", dependencies: ["ActionData", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "ActionData", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "ActionData", "Engine", "Metrics", "Support", "_OpenBLAS"], exclude: ["Fixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "PoliciesTests", dependencies: ["Policies", "Engine", "Tokenizers", "ActionData", "Support"], exclude: ["Fixtures"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Support"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures"]),
        .testTarget(name: "LiterateTests", dependencies: ["Literate"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Metrics", "Support"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "ActionData", "Policies", "Simulation", "Support", "Tokenizers"]),
        .testTarget(name: "ChaptersTests", dependencies: ["Chapters", "Experiments", "Lab", "Runner", "Metrics", "Literate", "Figures", "ActionData", "Tokenizers", "Policies", "Simulation", "Support",
                                                     "chapter-training", "chapter-evaluation", "chapter-data", "chapter-deployment", "chapter-applications", "chapter-future", "workbench"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Experiments", "Metrics", "Literate", "Support",
                                                    .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Experiments", "Support"]),
        .testTarget(name: "workbenchTests", dependencies: ["workbench", "ActionData", "Tokenizers"]),
        .testTarget(name: "PackageTests"),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
