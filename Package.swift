// swift-tools-version:6.0
import PackageDescription

// The numeric code is compiled for the host CPU's vector units (AVX2/AVX-512 with FMA); without
// `-target-cpu` Swift's SIMD types fall back to a library call per lane. Debug builds (and so
// `swift test`) are optimised too but keep bounds and overflow checks.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release)),
    .unsafeFlags(["-O", "-target-cpu", "native"], .when(configuration: .debug)),
]

let package = Package(
    name: "charrnn",
    products: [
        .library(name: "CharRNN", targets: ["CharRNN"]),
        .executable(name: "charrnn", targets: ["charrnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["libz-dev"])]),
        .target(name: "CharRNN", dependencies: ["CZlib"], swiftSettings: fast),
        .executableTarget(
            name: "charrnn",
            dependencies: ["CharRNN", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast),
        .testTarget(name: "CharRNNTests", dependencies: ["CharRNN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["charrnn"]),
    ],
    swiftLanguageModes: [.v5]
)
