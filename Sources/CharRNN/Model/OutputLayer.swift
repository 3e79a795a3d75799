/// The output layer and the loss: logits = top · W_outᵀ + b_out (PyTorch's `nn.Linear`), then
/// softmax cross-entropy per position (targets of −1 are not scored).
enum OutputLayer {
    /// Writes the logits, then the softmax probabilities, into `logits` [rows, V] (a copy of the
    /// raw logits into `raw` when given), and the loss of each position into `positionLoss`.
    /// Returns the summed loss and the number of scored positions.
    /// Shapes: top [rows, H]; W_outᵀ as panels [H, V]; targets [rows].
    static func forward(
        top: ConstFloatPointer, rows: Int, hidden H: Int, vocabularySize V: Int, weightT: Panels,
        bias: ConstFloatPointer, targets: UnsafePointer<Int32>, logits lg: FloatPointer,
        raw: FloatPointer?, positionLoss: FloatPointer, scratch: FloatPointer, clock: PhaseClock
    ) -> (loss: Double, count: Int) {
        clock.time(.outputForward) {
            for r in 0..<rows { (lg + r * V).update(from: bias, count: V) }
            gemm(
                m: rows, n: V, k: H, a: top, aRowStride: H, aColStride: 1, b: weightT, c: lg, ldc: V,
                accumulate: true, scratch: scratch)
        }
        return clock.time(.softmaxLoss) {
            softmaxLoss(
                rows: rows, vocabularySize: V, targets: targets, logits: lg, raw: raw, positionLoss: positionLoss)
        }
    }

    /// Softmax in place and the cross-entropy of each scored row.
    private static func softmaxLoss(
        rows: Int, vocabularySize V: Int, targets: UnsafePointer<Int32>, logits lg: FloatPointer, raw: FloatPointer?,
        positionLoss: FloatPointer
    ) -> (loss: Double, count: Int) {
        var total = 0.0
        var count = 0
        for r in 0..<rows {
            let row = lg + r * V
            let y = Int(targets[r])
            let target = y >= 0 ? row[y] : 0
            if let raw { (raw + r * V).update(from: row, count: V) }
            let logZ = softmaxInPlace(row, count: V)
            if y >= 0 {
                let l = logZ - target
                positionLoss[r] = l
                total += Double(l)
                count += 1
            } else {
                positionLoss[r] = 0
            }
        }
        return (total, count)
    }

    /// From the probabilities `forward` left in `logits`: d logits = (softmax − onehot)·scale (in
    /// place), dW_out [V, H] += d logitsᵀ · top, db_out += Σ rows, and dTop = d logits · W_out.
    /// `topPanels` holds `top` packed as panels for the weight-gradient product.
    static func backward(
        logits lg: FloatPointer, targets: UnsafePointer<Int32>, rows: Int, hidden H: Int,
        vocabularySize V: Int, scale: Float, topPanels: Panels, weight: Panels,
        dWeight: FloatPointer, dBias: FloatPointer, dTop: FloatPointer, scratch: FloatPointer
    ) {
        for r in 0..<rows {
            let row = lg + r * V
            let y = Int(targets[r])
            if y < 0 { row.update(repeating: 0, count: V); continue }
            row[y] -= 1
            for j in 0..<V { row[j] *= scale }
        }
        gemm(
            m: V, n: H, k: rows, a: lg, aRowStride: 1, aColStride: V, b: topPanels, c: dWeight, ldc: H,
            accumulate: true, scratch: scratch)
        columnSums(lg, rows: rows, cols: V, into: dBias)
        gemm(
            m: rows, n: H, k: V, a: lg, aRowStride: V, aColStride: 1, b: weight, c: dTop, ldc: H, accumulate: false,
            scratch: scratch)
    }
}
