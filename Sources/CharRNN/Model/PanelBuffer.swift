import CKernels

/// Memory for a matrix packed as panels for the products (`Panels`), in the form the run's
/// precision multiplies: fp32 values; bf16 pairs for `ck_gemm_bf16`; or fp32 holding
/// bf16-rounded values (the bf16 precision where the CPU has no bf16 instruction).
final class PanelBuffer {
    enum Format {
        case fp32, bf16, roundedFP32
    }

    let format: Format
    /// The largest matrix the buffer holds: K ≤ k and N ≤ n (activations: the rows are K).
    let k: Int, n: Int
    private let storage: FloatBuffer

    init(k: Int, n: Int, format: Format) {
        self.k = k; self.n = n; self.format = format
        storage = FloatBuffer(
            count: format == .bf16 ? (Panels.bf16Count(k: k, n: n) + 1) / 2 : Panels.floatCount(k: k, n: n))
    }

    private var bf16Pointer: UnsafeMutablePointer<UInt16> {
        UnsafeMutableRawPointer(storage.pointer).assumingMemoryBound(to: UInt16.self)
    }

    /// The matrix last packed with the buffer's full shape.
    var panels: Panels { shaped(k: k, n: n) }

    private func shaped(k: Int, n: Int) -> Panels {
        format == .bf16 ? Panels(bf16: bf16Pointer, k: k, n: n) : Panels(base: storage.pointer, k: k, n: n)
    }

    /// Packs B[k][j] = src[k·ld + j] (B row-major), k ≤ self.k rows and n ≤ self.n columns.
    @discardableResult
    func pack(rowMajor src: ConstFloatPointer, ld: Int, k: Int? = nil, n: Int? = nil) -> Panels {
        let k = k ?? self.k, n = n ?? self.n
        precondition(k <= self.k && n <= self.n)
        if format == .bf16 {
            ck_bf16_pack_rows(src, ld, k, n, bf16Pointer)
        } else {
            Panels.pack(rowMajor: src, ld: ld, k: k, n: n, into: storage.pointer)
            roundIfAsked(k: k, n: n)
        }
        return shaped(k: k, n: n)
    }

    /// Packs B = Wᵀ for W [N, K] row-major with leading dimension ld (the buffer's full shape).
    @discardableResult
    func pack(transposeOf w: ConstFloatPointer, ld: Int) -> Panels {
        if format == .bf16 {
            ck_bf16_pack_transposed(w, ld, k, n, bf16Pointer)
        } else {
            Panels.pack(transposeOf: w, ld: ld, k: k, n: n, into: storage.pointer)
            roundIfAsked(k: k, n: n)
        }
        return panels
    }

    private func roundIfAsked(k: Int, n: Int) {
        guard format == .roundedFP32 else { return }
        let p = storage.pointer
        for i in 0..<Panels.floatCount(k: k, n: n) { p[i] = BFloat16.rounded(p[i]) }
    }
}
