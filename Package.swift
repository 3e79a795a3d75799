// swift-tools-version:6.2
import Foundation
import PackageDescription

// Code generation. The numeric code is written with Swift's SIMD types, which need the target's
// vector units named at compile time (on the generic x86-64 target a fused multiply-add becomes a
// library call per lane). By default everything is compiled for the CPU that builds it, as
// llama.cpp does; `CHARRNN_TARGET_CPU` names another level for binaries that must run elsewhere
// (`make portable` sets x86-64-v3: AVX2 + FMA). Since tools-version 6.2 SwiftPM lets a package that
// is used as a versioned dependency carry such flags, so the library stays usable from other packages.
// Debug builds (and so `swift test`) are optimised too but keep bounds and overflow checks.
let environment = ProcessInfo.processInfo.environment
let targetCPU = environment["CHARRNN_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
// swiftc names CPUs, not the x86-64 levels: Haswell has exactly x86-64-v3's features (AVX2, FMA,
// BMI1/2, F16C, LZCNT, MOVBE), and Skylake-AVX512 x86-64-v4's.
let compilerCPU = ["x86-64-v3": "haswell", "x86-64-v4": "skylake-avx512"][targetCPU] ?? targetCPU
let cpuFlags = ["-target-cpu", compilerCPU]
// Swift cannot ask at compile time which vector registers the target has, so the manifest tells
// the code: CHARRNN_AVX512 selects the AVX-512 matrix kernel (for a native build, read from the
// building machine's /proc/cpuinfo; Linux only, elsewhere the AVX2-sized kernel is used).
func hostHasAVX512() -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    return info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512f")
        ?? false
}
let avx512 = targetCPU == "native" ? hostHasAVX512() : targetCPU == "x86-64-v4"
let fast: [SwiftSetting] =
    [
        .unsafeFlags(["-Ounchecked"] + cpuFlags, .when(configuration: .release)),
        .unsafeFlags(["-O"] + cpuFlags, .when(configuration: .debug)),
    ] + (avx512 ? [.define("CHARRNN_AVX512")] : [])
// The executable's start-up check refuses, in one line, a CPU below the level it was built for.
let cpuLevel: [CSetting] = targetCPU == "native" ? [] : [.define("CHARRNN_REQUIRED_CPU", to: "\"\(targetCPU)\"")]

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
        .target(name: "CPUCheck", cSettings: cpuLevel),
        .target(name: "CharRNN", dependencies: ["CZlib"], swiftSettings: fast),
        .executableTarget(
            name: "charrnn",
            dependencies: ["CharRNN", "CPUCheck", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast),
        .testTarget(name: "CharRNNTests", dependencies: ["CharRNN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["charrnn"]),
    ],
    swiftLanguageModes: [.v6]
)
