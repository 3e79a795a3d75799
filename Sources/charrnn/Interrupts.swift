import Foundation

/// SIGINT/SIGTERM: the first asks training to stop after the current step (which then writes
/// `latest`); a second exits at once. Checkpoints are written by rename, so exiting mid-write
/// leaves the previous file intact.
enum Interrupts {
    nonisolated(unsafe) static var count: Int32 = 0

    static var requested: Bool { count > 0 }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            Interrupts.count += 1
            if Interrupts.count >= 2 { _exit(130) }
            let msg = "\ncharrnn: stopping after this step (Ctrl-C again to quit at once)\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
