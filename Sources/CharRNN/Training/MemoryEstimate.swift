#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The memory a training run will need, checked before anything large is allocated, so an
/// impossible size is refused in one line instead of dying in `malloc`.
public enum MemoryEstimate {
    /// A run too large for this machine.
    public struct TooLarge: Error, CustomStringConvertible, Equatable {
        /// What the run needs and what is available.
        public var neededBytes: Double, availableBytes: Double
        /// One line with both figures and what to change.
        public var description: String {
            "this run needs about \(format(neededBytes)) of memory and \(format(availableBytes)) is available; "
                + "choose a smaller --hidden, --layers, --batch or --seq"
        }
        func format(_ b: Double) -> String {
            b >= 1e9 ? String(printf: "%.1f GB", b / 1e9) : String(printf: "%.0f MB", b / 1e6)
        }
    }

    /// Bytes a training run of `config` holds at once: the parameters and every copy of their size
    /// (gradients per worker and summed, Adam's two moments, the weight average and its spare,
    /// the last good state kept for roll-back, two packed copies for the kernels), plus the
    /// activations of one batch and of the validation engine.
    public static func trainingBytes(config: ModelConfig, batch: Int, steps: Int, threads: Int) -> Double {
        let p = Double(ParameterLayout(config).totalCount)
        let workers = Double(max(1, min(threads, batch)))
        let h = Double(config.hiddenSize), g = Double(config.gateWidth), l = Double(config.layers)
        let rows = Double(batch * steps)
        let perLayer = rows * (3 * g + 7 * h)
        let activations = l * perLayer + rows * (Double(config.vocabularySize) + h)
        let validation = l * 64 * 128 * (g + 3 * h) + 64 * 128 * Double(config.vocabularySize)
        return 4 * ((12 + workers) * p + activations + validation)
    }

    /// Memory this process may still take: MemAvailable on Linux, physical memory elsewhere.
    public static var availableBytes: Double {
        #if os(Linux)
            if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
                for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                    if let kb = Double(line.split(separator: " ").dropFirst().first ?? "") { return kb * 1024 }
                }
            }
        #endif
        return Double(ProcessInfo.processInfo.physicalMemory)
    }

    /// Throws `TooLarge` when the run would need more than the memory available.
    public static func checkTraining(config: ModelConfig, batch: Int, steps: Int, threads: Int) throws {
        let need = trainingBytes(config: config, batch: batch, steps: steps, threads: threads)
        let have = availableBytes
        if need > have { throw TooLarge(neededBytes: need, availableBytes: have) }
    }
}
