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

/// What a study folder holds so far, aggregated: every grid point's test losses over seeds with
/// Student's t intervals, the paired differences between arms, the search, the compute spent, what
/// is missing; written as report.md, SVG figures and results.json. It reads only study.json and
/// the runs' result.json files, so run folders copied from other machines (without their
/// checkpoints) aggregate the same.
public struct StudyReport: Sendable {
    public let plan: StudyPlan
    /// The study folder.
    public let directory: String
    /// Every finished run's result, by run name.
    public let results: [String: RunResult]
    /// The runs known now (search, and grid runs whose search has finished).
    public let runs: [StudyPlan.Run]

    /// One arm at one point: test losses by seed.
    public struct ArmSummary: Encodable, Sendable {
        public var arm: String, hiddenSize: Int, parameters: Int
        /// Seed → test loss (nats/char).
        public var testLoss: [UInt64: Double]
        /// Mean with a 95% t-interval over seeds.
        public var interval: Statistics.Interval
        /// Mean characters seen, seconds and chars/s over the finished runs.
        public var characters: Double, seconds: Double, charactersPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case arm, hiddenSize, parameters, testLoss, interval, characters, seconds, charactersPerSecond
        }

        /// As JSON, the losses keyed by the seed's decimal string (one order on every run).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(arm, forKey: .arm); try c.encode(hiddenSize, forKey: .hiddenSize)
            try c.encode(parameters, forKey: .parameters)
            try c.encode(Dictionary(uniqueKeysWithValues: testLoss.map { ("\($0)", $1) }), forKey: .testLoss)
            try c.encode(interval, forKey: .interval); try c.encode(characters, forKey: .characters)
            try c.encode(seconds, forKey: .seconds); try c.encode(charactersPerSecond, forKey: .charactersPerSecond)
        }
    }

    /// One comparison at one point: first − second, paired by seed.
    public struct Difference: Encodable, Sendable {
        public var first: String, second: String
        /// Paired seeds and the mean difference with its 95% t-interval (negative: first better).
        public var seeds: Int
        public var interval: Statistics.Interval
        /// "first", "second", or nil (no significant difference, or no interval).
        public var winner: String?
    }

    /// One point of the grid.
    public struct Cell: Encodable, Sendable {
        public var corpus: String, size: String, budget: String, budgetAmount: Double
        public var arms: [ArmSummary]
        public var differences: [Difference]

        /// The paired difference `first` − `second` (arm names), if this point compared them.
        public func difference(_ first: String, _ second: String) -> Difference? {
            differences.first { $0.first == first && $0.second == second }
        }
    }

    /// Reads the study in `directory`.
    public init(directory: String) throws {
        self.directory = directory
        plan = try StudyPlan.load(from: directory)
        runs = plan.runs(in: directory)
        var results: [String: RunResult] = [:]
        var invalid: [(name: String, reason: String)] = []
        for r in runs {
            switch Self.check(r, in: directory) {
            case .finished(let result): results[r.name] = result
            case .invalid(let reason): invalid.append((r.name, reason))
            case .absent: break
            }
        }
        self.results = results
        self.invalid = invalid
    }

    /// Results that exist but cannot be aggregated, with the reason: they count as neither
    /// finished nor missing, and the report lists them.
    public private(set) var invalid: [(name: String, reason: String)] = []

    enum ResultState { case absent, finished(RunResult), invalid(String) }

    /// A run's result.json, checked against the plan: it must be a readable JSON file of a result,
    /// name this run, train the planned architecture and hold finite, non-negative losses.
    static func check(_ run: StudyPlan.Run, in directory: String) -> ResultState {
        let path = directory + "/runs/" + run.name + "/" + RunResult.fileName
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard info.st_mode & S_IFMT == S_IFREG else { return .invalid("result.json is not a regular file") }
        guard let bytes = try? InputFile.read(path, expected: "run result") else { return .invalid("unreadable") }
        guard let r = try? JSONCoding.decoder().decode(RunResult.self, from: Data(bytes)) else {
            return .invalid("not a run result (JSON of the wrong shape, or not JSON)")
        }
        if r.runName != run.name { return .invalid("it names run \(r.runName)") }
        if r.config.architecture != run.arm.architecture {
            return .invalid(
                "it trained a \(r.config.architecture.displayName), the plan a \(run.arm.architecture.displayName)")
        }
        for (name, value) in [("testLoss", r.testLoss), ("bestValidationLoss", r.bestValidationLoss)] {
            guard let v = value else { continue }
            // 1e6 nats/char is far above any real loss (a uniform guess over 2²¹ characters is 14.6).
            if !v.isFinite || v < 0 || v > 1e6 { return .invalid("\(name) \(v) cannot be a loss") }
        }
        if run.isSearch && r.bestValidationLoss == nil { return .invalid("no validation loss") }
        if run.countsInGrid && r.testLoss == nil { return .invalid("no test loss") }
        return .finished(r)
    }

    /// Grid runs the plan calls for: corpora × sizes × budgets × seeds × arms, less the omitted points.
    public var expectedGridRuns: Int {
        let points =
            plan.corpora.count * plan.grid.sizes.count * plan.grid.budgets.count
            - Set(plan.grid.omitted ?? []).count
        return points * max(1, plan.grid.seeds) * plan.grid.arms.count
    }

    /// Runs known now that have not finished, and grid runs still waiting for their search.
    public var missing: (known: [String], waiting: Int) {
        let bad = Set(invalid.map(\.name))
        let known = runs.filter { results[$0.name] == nil && !bad.contains($0.name) }.map(\.name)
        return (known, expectedGridRuns - runs.filter(\.countsInGrid).count)
    }

    /// Every point with at least one finished run.
    public var cells: [Cell] {
        var out: [Cell] = []
        for corpus in plan.corpora {
            for size in plan.grid.sizes {
                for budget in plan.grid.budgets {
                    let here = runs.filter {
                        $0.countsInGrid && $0.corpus == corpus.name && $0.size == size && $0.budget == budget
                    }
                    var arms: [ArmSummary] = []
                    for arm in plan.grid.arms {
                        let mine = here.filter { $0.arm.name == arm.name }
                        let done = mine.compactMap { r in results[r.name].map { (r.seed, $0) } }
                        guard !done.isEmpty else { continue }
                        let losses = done.compactMap { s, r in r.testLoss.map { (s, $0) } }
                        let p = plan.point(corpus.name, size, arm.name, budget)
                        arms.append(
                            ArmSummary(
                                arm: arm.name, hiddenSize: p.hiddenSize, parameters: p.parameters,
                                testLoss: Dictionary(losses, uniquingKeysWith: { a, _ in a }),
                                interval: Statistics.tInterval(losses.map(\.1)),
                                characters: Statistics.mean(done.map { Double($0.1.charactersSeen) }),
                                seconds: Statistics.mean(done.map(\.1.seconds)),
                                charactersPerSecond: Statistics.mean(done.map(\.1.charactersPerSecond))))
                    }
                    guard !arms.isEmpty else { continue }
                    var differences: [Difference] = []
                    for (a, b) in plan.grid.activeComparisons {
                        guard let x = arms.first(where: { $0.arm == a.name }),
                            let y = arms.first(where: { $0.arm == b.name })
                        else { continue }
                        let seeds = x.testLoss.keys.filter { y.testLoss[$0] != nil }.sorted()
                        guard !seeds.isEmpty else { continue }
                        let d = Statistics.tInterval(seeds.map { x.testLoss[$0]! - y.testLoss[$0]! })
                        let winner: String? = d.isBounded && !d.containsZero ? (d.mean < 0 ? a.name : b.name) : nil
                        differences.append(
                            Difference(first: a.name, second: b.name, seeds: seeds.count, interval: d, winner: winner))
                    }
                    out.append(
                        Cell(
                            corpus: corpus.name, size: size.label, budget: budget.label, budgetAmount: budget.amount,
                            arms: arms, differences: differences))
                }
            }
        }
        return out
    }

    func name(_ arm: String) -> String { plan.grid.arms.first { $0.name == arm }?.displayName ?? arm }

    /// One sentence for one comparison at one point.
    public func sentence(_ d: Difference) -> String {
        let (a, b) = (name(d.first), name(d.second))
        if !d.interval.isBounded {
            return "\(a) − \(b) = \(String(printf: "%+.4f", d.interval.mean)) from one seed: no interval, no verdict"
        }
        let ci = String(printf: "%+.4f [%+.4f, %+.4f]", d.interval.mean, d.interval.low, d.interval.high)
        guard let w = d.winner else { return "no significant difference (\(a) − \(b) = \(ci))" }
        return "\(name(w)) better (\(a) − \(b) = \(ci))"
    }

    /// The answer for one comparison over a set of cells, claiming only what the intervals show.
    func verdict(_ pair: (StudyGrid.Arm, StudyGrid.Arm), cells: [Cell], scope: String) -> String {
        let ds = cells.compactMap { $0.difference(pair.0.name, pair.1.name) }
        guard !ds.isEmpty else {
            return "\(scope): no finished pairs of \(name(pair.0.name)) and \(name(pair.1.name))."
        }
        let a = ds.filter { $0.winner == pair.0.name }.count, b = ds.filter { $0.winner == pair.1.name }.count
        let unbounded = ds.filter { !$0.interval.isBounded }.count
        let none = ds.count - a - b - unbounded
        var s = "\(scope): of \(ds.count) point\(ds.count == 1 ? "" : "s") compared, "
        var parts: [String] = []
        if a > 0 { parts.append("\(name(pair.0.name)) has significantly lower test loss at \(a)") }
        if b > 0 {
            parts.append(
                a > 0
                    ? "\(name(pair.1.name)) at \(b)" : "\(name(pair.1.name)) has significantly lower test loss at \(b)")
        }
        if none > 0 { parts.append("\(none) \(none == 1 ? "shows" : "show") no significant difference") }
        if unbounded > 0 { parts.append("\(unbounded) \(unbounded == 1 ? "has" : "have") one seed and no interval") }
        s += parts.joined(separator: ", ") + ". "
        let mean = Statistics.mean(ds.map(\.interval.mean))
        if a > 0 && b == 0 {
            s += "Where it differs, \(name(pair.0.name)) is ahead"
        } else if b > 0 && a == 0 {
            s += "Where it differs, \(name(pair.1.name)) is ahead"
        } else if a > 0 && b > 0 {
            s += "The winner depends on the point"
        } else {
            s += "No point separates them"
        }
        s +=
            " (mean difference \(name(pair.0.name)) − \(name(pair.1.name)) over these points: "
            + String(printf: "%+.4f nats/char).", mean)
        return s
    }

    /// Training seconds and characters of every finished run (search included).
    public var computeSpent: (seconds: Double, characters: Double, runs: Int) {
        let r = results.sorted { $0.key < $1.key }.map(\.value)  // a fixed order of the sums
        return (r.map(\.seconds).reduce(0, +), r.map { Double($0.charactersSeen) }.reduce(0, +), r.count)
    }
}
