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

/// A run's metrics.jsonl: one JSON object per line, appended as the run goes. The first line of a
/// new run is `{"command": …}` (the explicit command that repeats it); every other line is a
/// `MetricRecord`. Readers skip lines they do not know. The file stays open for the run, and each
/// line goes out in one write, so an interrupted run leaves whole lines.
final class MetricsLog {
    let path: String
    private var handle: PosixFile?

    init(path: String) { self.path = path }

    func append(_ record: MetricRecord) { write(JSONCoding.string(record)) }

    /// A resumed run's log: its header (the command that repeats the whole run, which a new budget
    /// changes), then exactly the records of the checkpoint it resumes from. Records a later,
    /// failed or killed, session wrote past that checkpoint are dropped, since the resumed run does
    /// those steps again: one record per step. Written atomically.
    func rewind(to records: [MetricRecord], command: String?, runID: String?) {
        var text = command.map { JSONCoding.string(Header(command: $0, run: runID)) + "\n" } ?? ""
        for r in records { text += JSONCoding.string(r) + "\n" }
        handle = nil
        try? OutputFile.write(text, to: path)
    }

    /// The log's first line: the command that repeats the run, and the run's identity.
    func appendCommand(_ command: String, runID: String?) {
        write(JSONCoding.string(Header(command: command, run: runID)))
    }

    private struct Header: Encodable { var command: String; var run: String? }

    /// The first line of a log: its command header, or its first record (`step`).
    private struct FirstLine: Decodable { var command: String?; var run: String?; var step: Int? }

    /// The first line of the log at `path` and what it holds, or nil when it is not a header or
    /// a record (not a charrnn log).
    private static func firstLine(_ path: String) -> FirstLine? {
        guard let file = PosixFile.reading(path), let head = try? file.read(upTo: 1 << 16) else { return nil }
        let line = Array(head.prefix { $0 != 0x0A })
        guard let h = try? JSONDecoder().decode(FirstLine.self, from: Data(line)), h.command != nil || h.step != nil
        else { return nil }
        return h
    }

    /// The run identity in the first line of the log at `path`: `.some(id)` (nil for a log from
    /// before run identities), or nil when the file does not start like a charrnn log.
    static func header(_ path: String) -> String?? {
        guard let first = firstLine(path) else { return nil }
        return .some(first.run)
    }

    /// The log's last record, read from the end of the file at `path` (the last line that is one);
    /// nil when there is none. A study's runner reads how far a running run has got.
    static func lastRecord(_ path: String) -> MetricRecord? {
        guard let file = PosixFile.reading(path) else { return nil }
        var info = stat()
        guard fstat(file.descriptor, &info) == 0 else { return nil }
        let size = Int(info.st_size), tail = min(size, 1 << 12)
        guard lseek(file.descriptor, off_t(size - tail), SEEK_SET) >= 0, let bytes = try? file.read(upTo: tail)
        else { return nil }
        for line in bytes.split(separator: 0x0A).reversed() {
            if let r = try? JSONCoding.decoder().decode(MetricRecord.self, from: Data(line)) { return r }
        }
        return nil
    }

    private func write(_ line: String) {
        if handle == nil { handle = PosixFile.appending(path) }
        handle?.write(line + "\n")
    }
}
