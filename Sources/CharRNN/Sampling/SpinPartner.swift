import Foundation
import Synchronization

/// A second thread that runs part 1 of each stage while the caller runs part 0, for work too
/// short to pay for waking a thread (one sampling step at hidden 512 is ~100 µs; a wake-up costs
/// 10–50 µs). The partner spins between stages and naps after ~1 ms without work.
final class SpinPartner: @unchecked Sendable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var work: ((Int) -> Void)?

    init() {
        let t = Thread { [self] in loop() }
        t.stackSize = 1 << 20
        t.start()
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
        var idle = 0
        while !stopping.load(ordering: .acquiring) {
            let g = posted.load(ordering: .acquiring)
            if g != seen {
                work!(1)
                seen = g
                finished.store(g, ordering: .releasing)
                idle = 0
            } else {
                idle += 1
                if idle > 20_000 { usleep(200) } else { spinHint() }
            }
        }
    }
}

@inline(__always) func spinHint() {
    #if arch(x86_64) || arch(i386)
    _mm_pause_hint()
    #endif
}

@inline(__always) func _mm_pause_hint() {
    // A short dependency-free delay; Swift has no portable pause intrinsic.
    for _ in 0..<8 { _ = 0 }
}
