import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a smaller checkpoint for sharing: no optimizer state, weights in f32, f16 or bf16.",
        discussion: "Every command loads f16 and bf16 checkpoints (widening to f32); they cannot be resumed.")

    @Argument(help: "A checkpoint file", completion: .file(extensions: ["ckpt"])) var checkpoint: String
    @Option(help: "f32, f16 or bf16") var dtype: DType = .f32
    @Flag(name: .customLong("weights-only"), help: "Also drop the training record and metric history") var weightsOnly =
        false
    @Option(name: .shortAndLong, help: "Output file (default: CHECKPOINT with -DTYPE before .ckpt)") var output: String?
    @Flag(help: "Replace the default output file when it exists") var overwrite = false

    enum DType: String, ExpressibleByArgument, CaseIterable {
        case f32, f16, bf16
        var storage: Safetensors.DType { self == .f32 ? .f32 : self == .f16 ? .f16 : .bf16 }
    }

    func run() throws {
        try reportingErrors {
            var c = try Checkpoint.load(checkpoint)
            c.optimizer = nil
            c.carriedState = nil
            if weightsOnly { c.training = nil; c.metrics = [] }
            c.dtype = dtype.storage
            let out = output ?? (PathName.deletingExtension(checkpoint) + "-\(dtype.rawValue).ckpt")
            try OutputFile.checkDefault(out, given: output != nil, overwrite: overwrite)
            try OutputFile.write(c.serialized(), to: out, inputs: [checkpoint])
            let before = (try? FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int) ?? 0
            let after = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            writeErr(
                "wrote \(out): \(c.summary), \(dtype.rawValue), \(formatCount(after)) bytes (from "
                    + "\(formatCount(before)))\n"
            )
        }
    }
}
