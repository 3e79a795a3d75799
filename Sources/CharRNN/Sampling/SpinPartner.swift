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
import Synchronization

/// A second thread that runs part 1 of each stage while the caller runs part 0, for work too
/// short to pay for waking a thread (one sampling step at hidden 512 is ~100 µs; a wake-up costs
/// 10–50 µs). The partner spins between stages and naps (200 µs at a time) after 2 ms without work.
///
/// `@unchecked Sendable`: `work` is written only by the caller while the partner is idle, and
/// published to it by the release store of `posted` (read with acquire), so the two never race.
final class SpinPartner: @unchecked Sendable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var work: ((Int) -> Void)?

    /// Starts the partner thread (1 MB of stack); it holds the partner until `stop`.
    init() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 1 << 20)
        #if os(Linux)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let retained = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(
            &thread, &attributes,
            { argument in
                Unmanaged<SpinPartner>.fromOpaque(argument!).takeRetainedValue().loop()
                return nil
            }, retained)
        precondition(started == 0, "could not start the sampling thread (error \(started))")
        pthread_detach(thread)
    }

    func stop() { stopping.store(true, ordering: .releasing) }

    /// Runs body(0) here and body(1) on the partner; returns when both are done.
    func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { b in
            work = b
            let generation = posted.load(ordering: .relaxed) + 1
            posted.store(generation, ordering: .releasing)
            b(0)
            while finished.load(ordering: .acquiring) != generation { spinHint() }
            work = nil
        }
    }

    private func loop() {
        var seen = 0
        var spins = 0
        var idleSince = DispatchTime.now().uptimeNanoseconds
        while !stopping.load(ordering: .acquiring) {
            let g = posted.load(ordering: .acquiring)
            if g != seen {
                work!(1)
                seen = g
                finished.store(g, ordering: .releasing)
                spins = 0
                idleSince = DispatchTime.now().uptimeNanoseconds
                continue
            }
            spins += 1
            // Look at the clock now and then; nap only when the sampler has really gone quiet.
            if spins & 1023 == 0 && DispatchTime.now().uptimeNanoseconds - idleSince > 2_000_000 {
                usleep(200)
            } else {
                spinHint()
            }
        }
    }
}

/// Keeps a spinning loop from being optimised into a tight empty loop.
@inline(never) func spinHint() {}
