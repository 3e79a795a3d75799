import CKernels
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
        let mask = decayMask.map { ConstFloatPointer($0.pointer) }
        parallelRanges(p.count, threads: threads) { range in
            let i = range.lowerBound
            ck_adam(
                pp + i, gp + i, mp + i, vp + i, mask.map { $0 + i }, range.count, b1, b2, stepSize, bc2Root, eps,
                decay)
        }
    }
}

/// The global L2 norm of the gradients (computed in double precision).
func globalNorm(_ g: FloatBuffer) -> Double { ck_sum_squares(g.pointer, g.count).squareRoot() }

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
