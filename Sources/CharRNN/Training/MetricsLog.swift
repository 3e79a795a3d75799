import Foundation

/// A run's metrics.jsonl: one JSON object per line, appended as the run goes. The first line of a
/// new run is `{"command": …}` (the explicit command that repeats it); every other line is a
/// `MetricRecord`. Readers skip lines they do not know. The file stays open for the run, and each
/// line goes out in one write, so an interrupted run leaves whole lines.
final class MetricsLog {
    let path: String
    private var handle: FileHandle?

    init(path: String) { self.path = path }

    deinit { try? handle?.close() }

    func append(_ record: MetricRecord) { write(JSONCoding.string(record)) }

    func appendCommand(_ command: String) {
        struct Header: Encodable { var command: String }
        write(JSONCoding.string(Header(command: command)))
    }

    private func write(_ line: String) {
        if handle == nil {
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            handle = FileHandle(forWritingAtPath: path)
            handle?.seekToEndOfFile()
        }
        handle?.write(Data((line + "\n").utf8))
    }
}
