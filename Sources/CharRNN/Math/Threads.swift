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
import Synchronization

/// How many threads the parallel sections use, for the whole process, as `torch.set_num_threads`:
/// every core the process may use (`ProcessInfo.activeProcessorCount`) unless set.
///
/// The count never changes a result beyond float rounding: work is split by streams, random
/// masks are drawn per stream, and the only thing that depends on the split is the order in which
/// per-thread gradient sums are added.
public enum Threads {
    /// The largest count `set` accepts.
    public static let maximum = 1024
    private static let setting = Atomic<Int>(0)

    /// Cores this process may run on.
    public static var available: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The count in force: the last `set`, else `available`.
    public static var count: Int {
        let n = setting.load(ordering: .relaxed)
        return n > 0 ? n : available
    }

    /// Sets the count for engines and samplers created afterwards (1...`maximum`).
    public static func set(_ n: Int) {
        precondition((1...maximum).contains(n), "thread count \(n) outside 1...\(maximum)")
        setting.store(n, ordering: .relaxed)
    }

    /// Back to the default (`available`).
    public static func reset() { setting.store(0, ordering: .relaxed) }
}

/// Runs `body(0..<n)` on up to n threads of the process's `WorkerPool` (the caller's thread takes
/// part). Each index runs once, on whichever thread claims it first: callers give each index its
/// own memory to write, so the result does not depend on which thread ran it.
func parallel(_ n: Int, _ body: (Int) -> Void) {
    if n <= 1 { body(0); return }
    WorkerPool.shared.run(n, body)
}

/// Runs `body` over `0..<count` split into at most `threads` contiguous ranges of at least
/// `grain` elements, each range's start a multiple of 16 (so SIMD loops keep their alignment).
func parallelRanges(_ count: Int, threads: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(threads, count / max(grain, 1)))
    if parts == 1 { body(0..<count); return }
    let step = (count / parts + 15) / 16 * 16
    parallel(parts) { p in
        let start = min(count, p * step), end = p == parts - 1 ? count : min(count, start + step)
        if start < end { body(start..<end) }
    }
}

/// A thread of the process's own, started from the caller's thread (so at its priority: under
/// `nice`, never above it), that runs `body` once; `join` waits for it.
final class OwnThread {
    #if os(Linux)
        private var thread = pthread_t()
    #else
        private var thread: pthread_t?
    #endif
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(_ body: @escaping () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 4 << 20)
        let created = pthread_create(
            &thread, &attributes,
            { argument in
                Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(Work(body)).toOpaque())
        precondition(created == 0, "could not start a thread (error \(created))")
    }

    func join() {
        #if os(Linux)
            pthread_join(thread, nil)
        #else
            pthread_join(thread!, nil)
        #endif
    }
}

/// Runs `body(0..<n)`, each index on a new `OwnThread`, and returns when all have finished (for
/// long jobs such as a study's runs; `parallel` serves short sections).
func onOwnThreads(_ n: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { b in
        let threads = (0..<n).map { i in OwnThread { b(i) } }
        threads.forEach { $0.join() }
    }
}
