import ArgumentParser
import CharRNN
import Foundation

/// Runs a command body; any error becomes one line on stderr ("charrnn: error: …") and exit 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        writeErr("charrnn: error: \(message(for: error))\n")
        throw ExitCode.failure
    }
}

func message(for error: Error) -> String {
    // Every error type of the library describes itself in one line naming the file or flag.
    String(describing: error)
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// "90s", "10m", "1h30m", "2.5m" or a plain number of seconds.
func parseDuration(_ s: String) -> Double? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    if let v = Double(s) { return v }
    var total = 0.0, number = ""
    for ch in s.lowercased() {
        if ch.isNumber || ch == "." { number.append(ch); continue }
        guard let u = units[ch], let v = Double(number) else { return nil }
        total += v * u; number = ""
    }
    return number.isEmpty ? total : nil
}
