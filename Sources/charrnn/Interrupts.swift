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

/// SIGINT/SIGTERM: the first asks training to stop after the current step (which then writes
/// `latest`); a second exits at once. Checkpoints are written by rename, so exiting mid-write
/// leaves the previous file intact.
enum Interrupts {
    /// Lock-free, so the signal handler may touch it.
    static let count = Atomic<Int32>(0)

    static var requested: Bool { count.load(ordering: .relaxed) > 0 }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            let (_, seen) = Interrupts.count.add(1, ordering: .relaxed)
            if seen >= 2 { _exit(130) }
            let msg = "\ncharrnn: stopping after this step (Ctrl-C again to quit at once)\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
