/// The embedding of layer 0's input (`--embedding E`), PyTorch's `nn.Embedding`: row `token` of
/// `emb.weight` [V, E]. A token of −1 (outside the vocabulary) reads a zero row.
enum Embedding {
    /// x[r] = emb[tokens[r]] for r < rows. Shapes: tokens [rows]; emb [V, E]; x [rows, E].
    static func forward(
        tokens: UnsafePointer<Int32>, rows: Int, emb: ConstFloatPointer, size E: Int, into x: FloatPointer
    ) {
        for r in 0..<rows {
            let tok = Int(tokens[r])
            if tok >= 0 {
                (x + r * E).update(from: emb + tok * E, count: E)
            } else {
                (x + r * E).update(repeating: 0, count: E)
            }
        }
    }

    /// dEmb[tokens[r]] += dx[r]: each row's gradient goes to the row it read.
    static func backward(
        tokens: UnsafePointer<Int32>, rows: Int, dx: ConstFloatPointer, size E: Int,
        into dEmb: FloatPointer
    ) {
        for r in 0..<rows {
            let tok = Int(tokens[r])
            guard tok >= 0 else { continue }
            let dst = dEmb + tok * E, src = dx + r * E
            for j in 0..<E { dst[j] += src[j] }
        }
    }
}
