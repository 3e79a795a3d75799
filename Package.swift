// swift-tools-version:6.0
import PackageDescription

// One binary for every CPU: the hot kernels (matrix products, the recurrent cells, softmax, Adam)
// live in the C target CKernels, compiled once per instruction set with per-function target
// attributes and chosen when the program starts (run-time dispatch; see Sources/CKernels). No
// target is compiled for the building CPU, and the manifest sets no unsafe flags.
let package = Package(
    name: "charrnn",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CharRNN", targets: ["CharRNN"]),
        .executable(name: "charrnn", targets: ["charrnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["libz-dev"])]),
        .target(name: "CKernels"),
        .target(name: "CProcess"),
        .target(name: "CharRNN", dependencies: ["CZlib", "CKernels"]),
        .executableTarget(
            name: "charrnn",
            dependencies: [
                "CharRNN", "CProcess", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "CharRNNTests", dependencies: ["CharRNN", "CKernels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["charrnn", "CharRNN"]),
    ],
    swiftLanguageModes: [.v6]
)
