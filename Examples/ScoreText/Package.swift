// swift-tools-version:6.2
import Foundation
import PackageDescription

// A package that uses charrnn as a versioned dependency, as another project would.
// `Examples/run.sh` tags a temporary clone of this repository and points CHARRNN_URL at it;
// a real project names the repository's URL instead.
let charrnnURL = ProcessInfo.processInfo.environment["CHARRNN_URL"] ?? "https://github.com/charrnn/charrnn"

let package = Package(
    name: "ScoreText",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: charrnnURL, from: "1.0.0")
    ],
    targets: [
        .executableTarget(name: "score-text", dependencies: [.product(name: "CharRNN", package: "charrnn")])
    ],
    swiftLanguageModes: [.v6]
)
