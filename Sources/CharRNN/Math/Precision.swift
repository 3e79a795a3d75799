import CKernels

/// The numbers the matrix products take.
public enum Precision: String, Sendable, CaseIterable, Codable {
    /// fp32 products: the reference.
    case fp32
    /// bf16 products with fp32 sums: the weight matrices (once per optimizer step) and the
    /// activations a product takes are rounded to bf16, to nearest even. Master weights, Adam's
    /// moments, gradient sums, biases, the weight average and the cell state stay fp32. Where the
    /// CPU has AMX-BF16 or AVX512_BF16 the products run on it (`KernelVariant.bf16Path`);
    /// elsewhere the fp32 kernels multiply the bf16-rounded weights (activations unrounded).
    case bf16

    /// Whether bf16 products run the bf16 kernels: where the CPU has one of the instructions.
    /// Tests set it to run the kernels' C models through whole models.
    nonisolated(unsafe) static var bf16Kernels = KernelVariant.bf16Hardware

    /// How the weight matrices are packed for the products.
    var weightFormat: PanelBuffer.Format {
        self == .fp32 ? .fp32 : Precision.bf16Kernels ? .bf16 : .roundedFP32
    }

    /// How activations are packed for the weight-gradient products.
    var activationFormat: PanelBuffer.Format { self == .bf16 && Precision.bf16Kernels ? .bf16 : .fp32 }

    /// What `bf16` does on a CPU without a bf16 instruction, to say once (nil where it has one).
    public static var bf16Fallback: String? {
        KernelVariant.bf16Hardware
            ? nil
            : "this CPU has neither AMX-BF16 nor AVX512_BF16: bf16 runs the fp32 kernels on bf16-rounded weights"
    }

    /// The precision `auto` picks on this CPU, and why: bf16 where its products are faster than
    /// fp32 — on AMX-BF16 tiles, and with AVX512_BF16 on AMD (Zen 4 and 5 issue `vdpbf16ps`, 32
    /// multiply-adds, as fast as an fp32 FMA's 16) — and fp32 elsewhere: on an Intel CPU without AMX
    /// `vdpbf16ps` issues at half the rate of the FMAs and measured slower than fp32
    /// (docs/performance.md).
    public static var automatic: (precision: Precision, reason: String) {
        switch KernelVariant.bf16Path {
        case "amx": return (.bf16, "this CPU has AMX-BF16")
        case "avx512_bf16" where KernelVariant.cpuVendor == "AuthenticAMD":
            return (.bf16, "this AMD CPU has AVX512_BF16")
        case "avx512_bf16":
            return (.fp32, "this CPU's AVX512_BF16 without AMX is slower than its fp32 kernels")
        default: return (.fp32, "this CPU has neither AMX-BF16 nor AVX512_BF16")
        }
    }

    /// The precision `auto` picks for one stream's sampling: matrix–vector work, bound by reading
    /// every weight once per character, which bf16 halves (its kernel widens the weights to fp32
    /// with a shift, so the products' speed does not enter). bf16 wherever the CPU has a bf16
    /// instruction, Intel without AMX included: there it measured 1.4–1.85× fp32's chars/s at
    /// 2×512 (docs/precision.md).
    public static var automaticForOneStream: Precision { KernelVariant.bf16Hardware ? .bf16 : .fp32 }
}

/// The precision a command asks for: `auto` (the default) resolves to `Precision.automatic`.
public enum PrecisionRequest: String, Sendable, CaseIterable, Codable {
    case auto, fp32, bf16

    public var resolved: Precision {
        switch self {
        case .auto: Precision.automatic.precision
        case .fp32: .fp32
        case .bf16: .bf16
        }
    }

    /// The same for sampling one stream, where `auto` follows `Precision.automaticForOneStream`.
    public var resolvedForOneStream: Precision { self == .auto ? Precision.automaticForOneStream : resolved }
}
