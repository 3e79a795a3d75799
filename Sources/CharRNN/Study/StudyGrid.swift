#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a study covers: corpora × model sizes × budgets × arms (architectures and their
/// initialisation) × seeds, with the same small search of learning rate and dropout for every
/// arm at every corpus and size.
public struct StudyGrid: Codable, Equatable, Sendable {
    /// A training budget: wall-clock time or characters seen.
    public enum Budget: Codable, Equatable, Hashable, Sendable, Comparable {
        case seconds(Double)
        case characters(Int)

        /// "1m", "4m30s"; "500k-chars", "2M-chars".
        public var label: String {
            switch self {
            case .seconds(let s):
                let t = Int(s.rounded())
                return t % 3600 == 0 ? "\(t / 3600)h" : t % 60 == 0 ? "\(t / 60)m" : "\(t)s"
            case .characters(let c): return formatQuantity(Double(c)) + "-chars"
            }
        }

        /// Its size on one scale (seconds or characters), for ordering and plotting.
        public var amount: Double {
            switch self {
            case .seconds(let s): return s
            case .characters(let c): return Double(c)
            }
        }

        public static func < (a: Budget, b: Budget) -> Bool { a.amount < b.amount }
    }

    /// A model size: a parameter count matched by each architecture, or the automatic rule's
    /// size for each architecture at each budget.
    public enum Size: Codable, Equatable, Hashable, Sendable {
        case parameters(Int)
        case automatic

        /// "500k", "1M", "auto".
        public var label: String {
            switch self {
            case .parameters(let n): return formatQuantity(Double(n))
            case .automatic: return "auto"
            }
        }
    }

    /// One arm of the comparison: an architecture with its initialisation.
    public struct Arm: Codable, Equatable, Hashable, Sendable {
        /// Its name in run names and the report ("lstm", "gru", "lstm-fb1").
        public var name: String
        /// LSTM or GRU.
        public var architecture: Architecture
        /// The LSTM's forget-gate bias at initialisation (nil: PyTorch's uniform initialisation).
        public var forgetBias: Float?
        /// Added to every seed of this arm (0: the arms share seeds and are paired by them).
        public var seedOffset: UInt64 = 0

        /// An arm.
        public init(name: String, architecture: Architecture, forgetBias: Float? = nil, seedOffset: UInt64 = 0) {
            self.name = name; self.architecture = architecture; self.forgetBias = forgetBias
            self.seedOffset = seedOffset
        }

        /// The LSTM with forget-gate bias 0, the GRU, and the LSTM with forget-gate bias 1 (Jozefowicz et al. 2015).
        public static let lstm = Arm(name: "lstm", architecture: .lstm, forgetBias: 0)
        public static let gru = Arm(name: "gru", architecture: .gru)
        public static let lstmForgetBias1 = Arm(name: "lstm-fb1", architecture: .lstm, forgetBias: 1)
        /// The arms by name.
        public static let named: [String: Arm] = ["lstm": lstm, "gru": gru, "lstm-fb1": lstmForgetBias1]

        /// How the report names it.
        public var displayName: String {
            switch name {
            case "lstm": return "LSTM"
            case "gru": return "GRU"
            case "lstm-fb1": return "LSTM (forget bias 1)"
            default: return name
            }
        }
    }

    /// The corpora (absolute paths).
    public var corpora: [String]
    /// Budgets, smallest first.
    public var budgets: [Budget]
    public var sizes: [Size] = [.parameters(1_000_000)]
    /// Seeds per point (1…seeds).
    public var seeds = 3
    /// The arms; the report compares each pair in `comparisons`.
    public var arms: [Arm] = [.lstm, .gru, .lstmForgetBias1]
    /// Pairs of arm names (first − second) the report tests.
    public var comparisons: [[String]] = [["lstm", "gru"], ["lstm-fb1", "lstm"]]
    /// The search: multipliers of the rule's learning rate, and amounts added to its dropout. Each
    /// arm tries every combination (seed 1) at the budgets `searchBudgets` names and keeps the one
    /// with the lowest validation loss (`StudySearch`).
    public var searchLearningRates: [Float] = [0.5, 1, 2]
    public var searchDropouts: [Float] = [0, 0.1]
    /// The budgets the search runs at; nil for a study planned before there was a choice (the
    /// smallest budget only, the grid fixed). See `StudySearch`.
    public var searchBudgets: SearchBudgets?
    /// How many times a search may widen its learning-rate grid at each end, for every arm alike,
    /// while an arm's best candidate lies at that end (with `searchBudgets`; nil: 3).
    public var searchExtensions: Int?

    /// Which budgets get a search of their own.
    public enum SearchBudgets: String, Codable, Sendable, CaseIterable {
        /// Every budget; each search centres on the previous budget's choice.
        case all
        /// The smallest and the largest; the budgets between take the smaller one's choice.
        case ends
        /// The smallest only; every budget takes its choice.
        case first
    }
    /// Whether a searched budget's grid takes the search's chosen run (seed 1) as its seed-1 run
    /// instead of training the same settings again (nil, for plans from before: it does not).
    public var gridReusesSearch: Bool?
    /// Points the plan leaves out (to fit a time budget); nil or empty: none.
    public var omitted: [Omission]?
    /// The precision of every run, fixed when the study is planned so that no run depends on the
    /// machine that happens to run it (nil, for plans from before bf16: fp32).
    public var precision: Precision?
    /// The precision of every run.
    public var resolvedPrecision: Precision { precision ?? .fp32 }

    /// A point left out of a plan: a corpus (its short name), a size and a budget.
    public struct Omission: Codable, Equatable, Hashable, Sendable {
        public var corpus: String, size: Size, budget: Budget
        public init(corpus: String, size: Size, budget: Budget) {
            self.corpus = corpus; self.size = size; self.budget = budget
        }
        /// "kjv-full:1M:64M-chars".
        public var label: String { "\(corpus):\(size.label):\(budget.label)" }
    }

    /// Whether the plan trains anything at this point.
    public func includes(corpus: String, size: Size, budget: Budget) -> Bool {
        !(omitted ?? []).contains(Omission(corpus: corpus, size: size, budget: budget))
    }

    /// Shape of every model and batch.
    public var layers = 2, batch = AutoConfiguration.batch, sequence = AutoConfiguration.sequence
    /// Each corpus splits into train | validation | test (the last `testFraction`).
    public var validationFraction = 0.1, testFraction = 0.1
    public var bytes = false

    /// A grid over `corpora` and `budgets` with the defaults for the rest.
    public init(corpora: [String], budgets: [Budget]) {
        self.corpora = corpora; self.budgets = budgets.sorted()
    }

    /// Whether the search tries more than one setting.
    public var searches: Bool { searchLearningRates.count * searchDropouts.count > 1 }

    /// The arms of `comparisons` that exist.
    public var activeComparisons: [(Arm, Arm)] {
        comparisons.compactMap { pair in
            guard pair.count == 2, let a = arms.first(where: { $0.name == pair[0] }),
                let b = arms.first(where: { $0.name == pair[1] })
            else { return nil }
            return (a, b)
        }
    }
}

/// "500k", "1.5M", "16M": a count with k/M suffix.
func formatQuantity(_ x: Double) -> String {
    func trim(_ v: Double) -> String {
        v == v.rounded()
            ? String(Int(v))
            : String(printf: "%.2f", v).replacing(/\.?0+$/, with: "")
    }
    if x >= 1e9 { return trim(x / 1e9) + "G" }
    if x >= 1e6 { return trim(x / 1e6) + "M" }
    if x >= 1e3 { return trim(x / 1e3) + "k" }
    return trim(x)
}
