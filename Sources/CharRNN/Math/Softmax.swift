import Foundation

/// Overwrites `row[0..<n]` with softmax(row) and returns log Σ exp(row) (the log-partition),
/// so that the cross-entropy of class y is `logPartition − row_y` (taken before the overwrite).
@inline(__always)
@discardableResult
func softmaxInPlace(_ row: FloatPointer, count n: Int) -> Float {
    var mx = -Float.infinity
    for j in 0..<n where row[j] > mx { mx = row[j] }
    var s: Float = 0
    var j = 0
    while j + 16 <= n {
        let e = vexp(load16(row + j) - Vec(repeating: mx))
        store16(e, row + j)
        s += e.sum()
        j += 16
    }
    while j < n { let e = expf(row[j] - mx); row[j] = e; s += e; j += 1 }
    let inv = 1 / s
    for j in 0..<n { row[j] *= inv }
    return mx + logf(s)
}
