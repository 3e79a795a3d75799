/// Dropout on a layer's outputs (inverted: kept values are scaled by 1/(1−p), so evaluation needs
/// no rescaling). The mask is drawn per stream from a generator seeded by (seed, layer, stream),
/// so it is the same whichever worker runs the stream, and kept for the backward pass.
enum Dropout {
    /// mask = 0 with probability p, else 1/(1−p); dropped = outputs ⊙ mask.
    /// Shapes: outputs, mask, dropped [T·B, H], time-major (row t·B + b); stream b of this chunk is
    /// stream `firstStream + b` of the batch.
    static func forward(
        outputs: ConstFloatPointer, probability p: Float, steps T: Int, batch B: Int, hidden H: Int,
        seed: UInt64, layer: Int, firstStream: Int, mask m: FloatPointer, dropped d: FloatPointer
    ) {
        let keep = 1 - p, scale = 1 / keep
        for b in 0..<B {
            var rng = RandomGenerator(seed: seed, layer: layer, stream: firstStream + b)
            for t in 0..<T {
                let row = (t * B + b) * H
                for j in row..<(row + H) {
                    let mv: Float = rng.nextFloat() < keep ? scale : 0
                    m[j] = mv; d[j] = outputs[j] * mv
                }
            }
        }
    }

    /// The gradient through the mask: dOutputs ⊙= mask.
    static func backward(_ gradient: FloatPointer, mask: ConstFloatPointer, count: Int) {
        multiply(gradient, by: mask, count: count)
    }
}
