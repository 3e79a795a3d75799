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

/// A run's metrics.jsonl: one JSON object per line, appended as the run goes. The first line of a
/// new run is `{"command": …}` (the explicit command that repeats it); every other line is a
/// `MetricRecord`. Readers skip lines they do not know. The file stays open for the run, and each
/// line goes out in one write, so an interrupted run leaves whole lines.
final class MetricsLog {
    let path: String
    private var handle: PosixFile?

    init(path: String) { self.path = path }

    func append(_ record: MetricRecord) { write(JSONCoding.string(record)) }

    func appendCommand(_ command: String) {
        struct Header: Encodable { var command: String }
        write(JSONCoding.string(Header(command: command)))
    }

    private func write(_ line: String) {
        if handle == nil { handle = PosixFile.appending(path) }
        handle?.write(line + "\n")
    }
}
