import ArgumentParser
import CharRNN

extension Precision: ExpressibleByArgument {}
extension PrecisionRequest: ExpressibleByArgument {}

/// The help every command gives `--precision`.
let precisionHelp = ArgumentHelp(
    "auto, fp32 or bf16: the numbers the matrix products take (bf16: bf16 products with fp32 sums; "
        + "auto: bf16 where this CPU multiplies bf16 faster than fp32)")

/// `--precision auto|fp32|bf16`, shared by the commands that run a model (train has its own, whose
/// default is the run's own precision on a resume).
struct PrecisionOption: ParsableArguments {
    @Option(help: precisionHelp) var precision: PrecisionRequest = .auto

    /// The precision to use, saying once on stderr when bf16 has no bf16 instruction here.
    var resolved: Precision { announce(precision.resolved) }

    /// The same for sampling one stream (`auto`: bf16 wherever the CPU has a bf16 instruction).
    var resolvedForOneStream: Precision { announce(precision.resolvedForOneStream) }
}

/// `precision`, after saying once on stderr what bf16 does on a CPU without a bf16 instruction.
@discardableResult
func announce(_ precision: Precision) -> Precision {
    if precision == .bf16, let line = Precision.bf16Fallback { PrecisionNote.once(line) }
    return precision
}

private enum PrecisionNote {
    nonisolated(unsafe) static var said = false
    static func once(_ line: String) {
        guard !said else { return }
        said = true
        writeErr("note: \(line)\n")
    }
}
