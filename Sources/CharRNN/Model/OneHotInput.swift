/// Layer 0's input when there is no embedding (char-rnn's one-hot input): W_ih · onehot(token) is
/// column `token` of W_ih, so the input projection is a row gather from a per-character table
/// (W_ihᵀ, [V, G·H], made once per optimizer step) and its gradient a scatter.
enum OneHotInput {
    /// gates[r] = table[tokens[r]] + bias (bias alone for a token of −1).
    /// Shapes: table [V, G·H]; bias [G·H]; gates [rows, G·H].
    static func forward(
        tokens: UnsafePointer<Int32>, rows: Int, table: ConstFloatPointer, bias: ConstFloatPointer,
        width GH: Int, into gates: FloatPointer
    ) {
        for r in 0..<rows {
            let dst = gates + r * GH
            let tok = Int(tokens[r])
            if tok >= 0 {
                let src = table + tok * GH
                for j in 0..<GH { dst[j] = src[j] + bias[j] }
            } else {
                dst.update(from: bias, count: GH)
            }
        }
    }

    /// dW_ih [G·H, V] += the gate gradients summed per input character: row v of the transposed
    /// gradient `scratch` [V, G·H] collects the rows whose input is v, then it is added transposed.
    static func backward(
        tokens: UnsafePointer<Int32>, rows: Int, dGates: ConstFloatPointer, width GH: Int,
        vocabularySize V: Int, scratch gT: FloatPointer, into dWih: FloatPointer
    ) {
        gT.update(repeating: 0, count: V * GH)
        for r in 0..<rows {
            let tok = Int(tokens[r])
            guard tok >= 0 else { continue }
            let dst = gT + tok * GH, src = dGates + r * GH
            for j in 0..<GH { dst[j] += src[j] }
        }
        for g in 0..<GH { for v in 0..<V { dWih[g * V + v] += gT[v * GH + g] } }
    }
}
