#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch

/// The parts of a training step that `charrnn bench` times separately.
public enum StepPhase: Int, CaseIterable, Sendable {
    case packing, inputProjection, recurrentForward, cellsForward, outputForward, softmaxLoss
    case outputBackward, cellsBackward, recurrentBackward, weightGradients, dropout, gradientSum, optimizer

    /// The column heading in bench's table.
    public var label: String {
        switch self {
        case .packing: "pack weights"
        case .inputProjection: "input proj."
        case .recurrentForward: "recurrent fwd"
        case .cellsForward: "gates fwd"
        case .outputForward: "output fwd"
        case .softmaxLoss: "softmax+loss"
        case .outputBackward: "output bwd"
        case .cellsBackward: "gates bwd"
        case .recurrentBackward: "recurrent bwd"
        case .weightGradients: "weight grads"
        case .dropout: "dropout"
        case .gradientSum: "grad sum"
        case .optimizer: "clip+Adam"
        }
    }
}

/// Seconds spent per phase by one thread, accumulated only while `enabled` (the benchmark's
/// profile; otherwise each `time` is the body alone).
final class PhaseClock: @unchecked Sendable {
    var enabled = false
    private let seconds = UnsafeMutablePointer<Double>.allocate(capacity: StepPhase.allCases.count)

    init() { reset() }
    deinit { seconds.deallocate() }

    func reset() { seconds.initialize(repeating: 0, count: StepPhase.allCases.count) }

    subscript(phase: StepPhase) -> Double { seconds[phase.rawValue] }

    @inline(__always)
    func time<R>(_ phase: StepPhase, _ body: () -> R) -> R {
        guard enabled else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        seconds[phase.rawValue] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return result
    }
}
