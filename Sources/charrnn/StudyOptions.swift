import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The grid: corpora, budgets, sizes, seeds, arms, search and shape.
struct GridOptions: ParsableArguments {
    @Argument(help: "The corpora (text files)", completion: .file()) var files: [String] = []
    @Option(
        name: [.customLong("budgets"), .customLong("time")],
        help: "Training time per run, a comma list, e.g. 1m,4m,16m")
    var budgets: String?
    @Option(help: "Characters seen per run instead, a comma list with k/M suffixes, e.g. 500k,2M,8M") var chars: String?
    @Option(help: "Model sizes in parameters, a comma list with k/M suffixes, or auto (the rule's size per budget)")
    var params = "1M"
    @Option(parsing: .unconditional, help: "Seeds per point") var seeds = 3
    @Option(help: "Arms, a comma list of lstm (forget-gate bias 0), gru, lstm-fb1 (forget-gate bias 1)")
    var arms = "lstm,gru,lstm-fb1"
    @Option(
        name: .customLong("search-lr"), parsing: .unconditional, help: "Search: multipliers of the rule's learning rate"
    )
    var searchLR = "0.5,1,2"
    @Option(
        name: .customLong("search-dropout"), parsing: .unconditional,
        help: "Search: amounts added to the rule's dropout")
    var searchDropout = "0,0.1"
    @Option(
        name: .customLong("search-budgets"),
        help:
            "Where the search runs: all (every budget, each centred on the previous choice), ends (the smallest and largest), first"
    )
    var searchBudgets: StudyGrid.SearchBudgets = .all
    @Option(
        name: .customLong("search-extensions"), parsing: .unconditional,
        help: "Times a search may widen its learning rates at each end, for every arm, while a best lies there")
    var searchExtensions = 3
    @Option(
        parsing: .singleValue,
        help:
            "A point to leave out, CORPUS:SIZE:BUDGET (the corpus's file name without extension), e.g. kjv:1M:64M; repeatable"
    )
    var omit: [String] = []
    @Option(parsing: .unconditional, help: "Layers of every model") var layers = 2
    @Option(parsing: .unconditional, help: "Parallel streams per batch") var batch = AutoConfiguration.batch
    @Option(parsing: .unconditional, help: "Truncated BPTT length") var seq = AutoConfiguration.sequence
    @Option(
        name: .customLong("test-fraction"), parsing: .unconditional,
        help: "Last fraction of each corpus held out as the test set", transform: finiteNumber)
    var testFraction = 0.1
    @Option(
        name: .customLong("val-fraction"), parsing: .unconditional, help: "Fraction before it used for validation",
        transform: finiteNumber)
    var valFraction = TrainingSettings.defaults.validationFraction
    @Flag(help: "Train on raw bytes") var bytes = false
    @Option(help: precisionHelp) var precision: PrecisionRequest = .auto

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one corpus FILE") }
        if (budgets == nil) == (chars == nil) { throw ValidationError("give --budgets (e.g. 1m,4m,16m) or --chars") }
        _ = try grid()
        if seeds <= 0 || seeds > 1000 { throw ValidationError("--seeds must be between 1 and 1000 (got \(seeds))") }
        if layers <= 0 || batch <= 0 || seq <= 0 {
            throw ValidationError("--layers, --batch and --seq must be positive")
        }
        if !(testFraction > 0 && valFraction > 0 && testFraction + valFraction < 0.9) {
            throw ValidationError(
                "--test-fraction and --val-fraction must be positive and leave most of each file for training")
        }
    }

    /// The grid these options describe (corpus paths made absolute).
    func grid() throws -> StudyGrid {
        let corpora = files.map(absolutePath)
        let identities = corpora.map { InputFile.identity($0).map { "\($0.0):\($0.1)" } ?? $0 }
        if let twice = identities.enumerated().first(where: { identities.firstIndex(of: $0.element) != $0.offset }) {
            throw ValidationError("\(files[twice.offset]): the same corpus is given twice")
        }
        var g = StudyGrid(corpora: corpora, budgets: try budgetList())
        g.sizes = try list(params, "--params").map { item in
            if item == "auto" { return .automatic }
            guard let n = parseQuantity(item), n >= 1000 else {
                throw ValidationError("--params '\(item)': a count of at least 1000, such as 500k or 1M, or auto")
            }
            return .parameters(Int(n))
        }
        try refuseRepeats(g.sizes.map { "\($0)" }, "--params", params)
        g.arms = try list(arms, "--arms").map { name in
            guard let arm = StudyGrid.Arm.named[name] else {
                throw ValidationError("--arms '\(name)': use lstm, gru or lstm-fb1")
            }
            return arm
        }
        if g.arms.count < 2 { throw ValidationError("--arms: a study compares at least two arms") }
        g.comparisons = [["lstm", "gru"], ["lstm-fb1", "lstm"], ["lstm-fb1", "gru"]].filter { pair in
            pair.allSatisfy { n in g.arms.contains { $0.name == n } }
        }
        if g.comparisons.count == 3 { g.comparisons.removeLast() }
        try applySearch(to: &g)
        g.omitted = try omit.map { try omission($0, in: g) }
        try refuseRepeats(g.omitted!.map(\.label), "--omit", omit.joined(separator: " "))
        if g.omitted!.isEmpty { g.omitted = nil }
        g.seeds = seeds; g.layers = layers; g.batch = batch; g.sequence = seq
        g.testFraction = testFraction; g.validationFraction = valFraction; g.bytes = bytes
        g.precision = precision.resolved
        return g
    }

    /// `--budgets` or `--chars`, checked.
    func budgetList() throws -> [StudyGrid.Budget] {
        var out: [StudyGrid.Budget] = []
        if let b = budgets {
            for item in try list(b, "--budgets") {
                try checkDuration(item, flag: "--budgets")
                out.append(.seconds(parseDuration(item)!))
            }
        }
        if let c = chars {
            for item in try list(c, "--chars") {
                guard let n = parseQuantity(item), n >= 1 else {
                    throw ValidationError("--chars '\(item)': a positive count such as 500k or 2M")
                }
                out.append(.characters(Int(n)))
            }
        }
        try refuseRepeats(out.map { "\($0)" }, budgets != nil ? "--budgets" : "--chars", budgets ?? chars)
        return out
    }

    /// The search's learning rates, dropouts, budgets and extensions.
    func applySearch(to g: inout StudyGrid) throws {
        g.searchLearningRates = try list(searchLR, "--search-lr").map { item in
            guard let v = Float(item), v.isFinite, v > 0 else {
                throw ValidationError("--search-lr '\(item)': a positive multiplier")
            }
            return v
        }
        g.searchDropouts = try list(searchDropout, "--search-dropout").map { item in
            guard let v = Float(item), v.isFinite, v >= 0, v < 0.9 else {
                throw ValidationError("--search-dropout '\(item)': an amount in [0, 0.9)")
            }
            return v
        }
        if !(0...10).contains(searchExtensions) {
            throw ValidationError("--search-extensions must be between 0 and 10 (got \(searchExtensions))")
        }
        g.searchBudgets = searchBudgets; g.searchExtensions = searchExtensions; g.gridReusesSearch = true
    }
}

/// A comma list's items, refusing an empty item or one given twice.
private func list(_ text: String, _ flag: String) throws -> [String] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmed) }
    if items.contains(where: \.isEmpty) { throw ValidationError("\(flag) '\(text)': an empty item") }
    if Set(items).count != items.count { throw ValidationError("\(flag) '\(text)': an item twice") }
    return items
}

/// Refuses two items of a list that give the same value ("1M" and "1000k").
private func refuseRepeats<T: Hashable>(_ values: [T], _ flag: String, _ text: String?) throws {
    if Set(values).count != values.count {
        throw ValidationError("\(flag) '\(text ?? "")': two items give the same value")
    }
}

/// One `--omit` item, CORPUS:SIZE:BUDGET, checked against the grid's sizes and budgets (the corpus
/// name is checked when the plan names its corpora).
func omission(_ text: String, in grid: StudyGrid) throws -> StudyGrid.Omission {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let form = "--omit '\(text)': give CORPUS:SIZE:BUDGET, e.g. kjv:1M:64M"
    guard parts.count == 3, !parts[0].isEmpty else { throw ValidationError(form) }
    guard let size = grid.sizes.first(where: { $0.label == parts[1] || sizeValue($0) == parseQuantity(parts[1]) })
    else {
        throw ValidationError("--omit '\(text)': \(parts[1]) is not one of --params")
    }
    guard
        let budget = grid.budgets.first(where: { b in
            switch b {
            case .characters(let c): return parseQuantity(parts[2].replacing("-chars", with: "")) == Double(c)
            case .seconds(let s): return parseDuration(parts[2]) == s
            }
        })
    else { throw ValidationError("--omit '\(text)': \(parts[2]) is not one of the budgets") }
    return StudyGrid.Omission(corpus: parts[0], size: size, budget: budget)
}

private func sizeValue(_ size: StudyGrid.Size) -> Double? {
    if case .parameters(let n) = size { return Double(n) }
    return nil
}

/// "500k", "2M", "1.5M", "12000": a count; nil otherwise.
func parseQuantity(_ text: String) -> Double? {
    var t = text, scale = 1.0
    if t.hasSuffix("k") || t.hasSuffix("K") {
        scale = 1e3; t.removeLast()
    } else if t.hasSuffix("M") || t.hasSuffix("m") {
        scale = 1e6; t.removeLast()
    } else if t.hasSuffix("G") || t.hasSuffix("g") {
        scale = 1e9; t.removeLast()
    }
    guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
    return (v * scale).rounded()
}

/// The study folder: `-o/--out/--output DIR`.
struct StudyFolderOption: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("out"), .customLong("output")], help: "The study folder")
    var output = "study"
}

/// How many runs at a time, and threads for each.
struct JobOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Runs at a time") var jobs = 1
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256 (got \(jobs))") }
    }

    /// Threads for each run: --threads, or the cores shared among the jobs.
    var threadsPerJob: Int { threadOptions.threads ?? max(1, Threads.available / jobs) }
}

extension StudyGrid.SearchBudgets: ExpressibleByArgument {}
