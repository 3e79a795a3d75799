#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An owned, zero-initialised float buffer (parameters, gradients, moments, workspaces).
///
/// `@unchecked Sendable`: it is raw memory shared between worker threads by design; every parallel
/// section gives each worker a disjoint range to write and joins before anyone reads it.
public final class FloatBuffer: @unchecked Sendable {
    /// Floats in the buffer.
    public let count: Int
    /// The first float.
    public let pointer: UnsafeMutablePointer<Float>

    /// `count` zeros.
    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// The floats as a buffer pointer (no copy).
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
    public var array: [Float] { Array(buffer) }
    /// Sets every float to 0.
    public func zero() { pointer.update(repeating: 0, count: count) }
    /// Copies `other`, which must have the same count.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count)
        pointer.update(from: other.pointer, count: count)
    }
    /// Copies `values` into the first `values.count` elements.
    public func copy(from values: [Float]) {
        precondition(values.count <= count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }
    /// Float `i`.
    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
