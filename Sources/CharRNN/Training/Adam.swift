import Foundation

/// Adam in PyTorch's form (bias-corrected; ε added to √v̂), with optional decoupled weight decay
/// (AdamW) on matrices only. The moments share the parameter layout, so the update is one loop.
final class Adam {
    var learningRate: Float
    let beta1: Float, beta2: Float, epsilon: Float
    var weightDecay: Float
    let m: FloatBuffer
    let v: FloatBuffer
    /// Number of updates taken so far (PyTorch's `step`).
    var step: Int = 0
    /// 1 for weights that decay (matrices), 0 for biases and the embedding.
    private let decayMask: FloatBuffer?
    /// Threads sharing the update (each element is updated the same way by any of them).
    var threads = Threads.count

    init(
        layout: ParameterLayout, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = FloatBuffer(count: layout.totalCount)
        v = FloatBuffer(count: layout.totalCount)
        if weightDecay > 0 {
            let mask = FloatBuffer(count: layout.totalCount)
            for e in layout.entries where e.shape.count == 2 && e.name != "emb.weight" {
                (mask.pointer + e.offset).update(repeating: 1, count: e.count)
            }
            decayMask = mask
        } else {
            decayMask = nil
        }
    }

    func update(parameters p: FloatBuffer, gradients g: FloatBuffer) {
        step += 1
        let bc1 = 1 - Float(pow(Double(beta1), Double(step)))
        let bc2 = 1 - Float(pow(Double(beta2), Double(step)))
        let stepSize = learningRate / bc1
        let bc2Root = bc2.squareRoot()
        let b1 = beta1, b2 = beta2, eps = epsilon
        let pp = p.pointer, gp = g.pointer, mp = m.pointer, vp = v.pointer
        let decay = learningRate * weightDecay
        let mask = decayMask?.pointer
        parallelRanges(p.count, threads: threads) { range in
            for i in range {
                let gi = gp[i]
                let mi = b1 * mp[i] + (1 - b1) * gi
                let vi = b2 * vp[i] + (1 - b2) * gi * gi
                mp[i] = mi; vp[i] = vi
                var pi = pp[i]
                if let mask { pi -= decay * mask[i] * pi }
                pp[i] = pi - stepSize * mi / (vi.squareRoot() / bc2Root + eps)
            }
        }
    }
}

/// The global L2 norm of the gradients (computed in double precision).
func globalNorm(_ g: FloatBuffer) -> Double {
    var s = 0.0
    let p = g.pointer
    var i = 0
    let n = g.count
    var acc = SIMD16<Float>()
    // Sum in float blocks of 4096 and in double across blocks: exact enough and fast.
    while i < n {
        let end = min(n, i + 4096)
        acc = SIMD16<Float>()
        var j = i
        while j + 16 <= end { let x = load16(p + j); acc.addProduct(x, x); j += 16 }
        var tail: Float = 0
        while j < end { tail += p[j] * p[j]; j += 1 }
        s += Double(acc.sum()) + Double(tail)
        i = end
    }
    return s.squareRoot()
}

/// torch.nn.utils.clip_grad_norm_: scales the gradients by maxNorm/(norm + 1e-6) when that is below 1.
/// Returns the norm before clipping.
@discardableResult
func clipGlobalNorm(_ g: FloatBuffer, maxNorm: Float) -> Double {
    let norm = globalNorm(g)
    let coef = Double(maxNorm) / (norm + 1e-6)
    if coef < 1 {
        let c = Float(coef)
        for i in 0..<g.count { g.pointer[i] *= c }
    }
    return norm
}
