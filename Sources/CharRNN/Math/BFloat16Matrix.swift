/// A row-major matrix rounded to bf16 for `gemv` (single-stream sampling): each row padded with
/// zeros to an even length, so that every row starts on a pair of bf16 values and the kernel's
/// vector loop covers it whatever the column count (an odd hidden size included).
final class BFloat16Matrix {
    let rows: Int, columns: Int
    /// Elements from one row's start to the next: `columns` rounded up to even.
    let rowStride: Int
    private let storage: UnsafeMutablePointer<UInt16>

    init(_ source: ConstFloatPointer, rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        rowStride = (columns + 1) / 2 * 2
        storage = .allocate(capacity: rows * rowStride)
        storage.initialize(repeating: 0, count: rows * rowStride)
        for r in 0..<rows {
            for c in 0..<columns { storage[r * rowStride + c] = BFloat16.bits(source[r * columns + c]) }
        }
    }

    deinit { storage.deallocate() }

    /// The start of row `r`.
    @inline(__always) func row(_ r: Int) -> UnsafePointer<UInt16> { UnsafePointer(storage + r * rowStride) }

    /// y[n] (accumulate ? += : =) rows [first, first + n) · x.
    @inline(__always)
    func multiply(
        rows first: Int, count n: Int, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool, scratch: FloatPointer
    ) {
        gemv(
            n: n, k: columns, w: row(first), rowStride: rowStride, x: x, y: y, accumulate: accumulate, scratch: scratch)
    }
}
