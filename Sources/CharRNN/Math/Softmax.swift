import CKernels

/// Overwrites `row[0..<n]` with softmax(row) and returns log Σ exp(row) (the log-partition),
/// so that the cross-entropy of class y is `logPartition − row_y` (taken before the overwrite).
/// exp is the kernels' vectorised one (relative error below 2e-7; see Sources/CKernels/Variant.h).
@inline(__always)
@discardableResult
func softmaxInPlace(_ row: FloatPointer, count n: Int) -> Float { ck_softmax(row, n) }
