import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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

/// "90s", "10m", "1h30m", "2.5m": numbers each followed by a unit (s, m or h); nil otherwise.
func parseDuration(_ s: String) -> Double? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var total = 0.0, number = "", parts = 0
    for ch in s.lowercased() {
        if ch.isASCII && (ch.isNumber || ch == ".") { number.append(ch); continue }
        guard let u = units[ch], let v = Double(number), v.isFinite else { return nil }
        total += v * u; number = ""; parts += 1
    }
    return number.isEmpty && parts > 0 ? total : nil
}

/// Checks a duration flag: readable, with units, at least one second.
func checkDuration(_ text: String, flag: String) throws {
    guard let d = parseDuration(text) else {
        throw ValidationError("\(flag) '\(text)': use numbers with units, e.g. 90s, 10m or 1h30m")
    }
    if d < 1 { throw ValidationError("\(flag) must be at least 1s (got \(text))") }
}

/// The parser of every decimal flag: a finite number (no nan or inf), negatives included; each
/// flag's `validate()` then says which range it takes.
func finiteNumber<T: BinaryFloatingPoint & LosslessStringConvertible>(_ text: String) throws -> T {
    guard let v = T(text), v.isFinite else { throw CLIError("not a finite number") }
    return v
}
