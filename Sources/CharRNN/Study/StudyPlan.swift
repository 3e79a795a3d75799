#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A study resolved to runs: every point's model and the automatic rule's learning rate and
/// dropout, fixed when the study is planned (saved as `DIR/study.json`). `runs(in:)` turns it into
/// the runs of the search and, once an arm's search has finished, of the grid, each a complete
/// `charrnn train` command line (`DIR/runs.txt`).
public struct StudyPlan: Codable, Equatable, Sendable {
    /// One corpus: where it is, what it held when planned, and how it splits.
    public struct Corpus: Codable, Equatable, Sendable {
        /// Its short name in run names and the report (the file name without extension).
        public var name: String
        /// Its absolute path.
        public var path: String
        /// Characters (or bytes), distinct symbols, and the training part's size.
        public var characters: Int, vocabularySize: Int, trainCharacters: Int
        /// Size and FNV-1a hash of the file's bytes, to notice a changed file.
        public var fingerprint: String
    }

    /// One point of the grid for one arm: its model and the rule's settings there.
    public struct Point: Codable, Equatable, Sendable {
        public var corpus: String, size: StudyGrid.Size, arm: String, budget: StudyGrid.Budget
        /// Hidden units per layer and parameters.
        public var hiddenSize: Int, parameters: Int
        /// The automatic rule's peak learning rate and dropout at this point.
        public var ruleLearningRate: Float, ruleDropout: Float
        /// Training characters per second of this point's model, measured when the study was
        /// planned, on the whole machine, alone (nil for plans from before): the report's
        /// comparison at matched wall-clock time uses it.
        public var charactersPerSecond: Double?
    }

    /// One run: a search candidate or a grid run.
    public struct Run: Equatable, Sendable {
        /// Its folder's name under `DIR/runs`.
        public var name: String
        /// Search candidate (seed 1) or grid run.
        public var isSearch: Bool
        /// Whether the grid counts it: every grid run, and a search's chosen candidate where the
        /// plan's grid reuses it as its seed-1 run (`StudyGrid.gridReusesSearch`).
        public var countsInGrid: Bool
        public var corpus: String, size: StudyGrid.Size, arm: StudyGrid.Arm, budget: StudyGrid.Budget
        public var seed: UInt64
        public var hiddenSize: Int, learningRate: Float, dropout: Float
        /// The learning-rate multiplier and dropout added by the search.
        public var learningRateFactor: Float, dropoutAdded: Float
        /// The `charrnn train` command line, word by word (unquoted).
        public var words: [String]
        /// The command line as one shell line.
        public var commandLine: String { words.map(shellQuote).joined(separator: " ") }
    }

    public var grid: StudyGrid
    /// The corpora as planned.
    public var corpora: [Corpus]
    /// Every (corpus, size, arm, budget) point.
    public var points: [Point]
    /// What the study will cost, measured when it was planned (nil for plans from before).
    public var estimate: StudyEstimate?

    /// The file names inside a study folder.
    public static let planFile = "study.json", manifestFile = "runs.txt"

    /// Resolves `grid`: reads each corpus, sizes each arm's model and asks the automatic rule for
    /// its learning rate and dropout at each budget. `speed` measures a configuration's training
    /// chars/s (the caller keeps what it measured: `StudyFolder.plan`); it is called only for time
    /// budgets.
    public static func make(_ grid: StudyGrid, speed: (ModelConfig) -> Double) throws -> StudyPlan {
        // Every corpus is read and checked before anything is measured.
        let loaded = try loadCorpora(grid)
        let corpora = loaded.map(\.corpus)
        for o in grid.omitted ?? [] where !corpora.contains(where: { $0.name == o.corpus }) {
            throw StudyError.omissionOutsideGrid(point: o.label, corpora: corpora.map(\.name))
        }
        return StudyPlan(
            grid: grid, corpora: corpora,
            points: loaded.flatMap { points(grid, corpus: $0.corpus, data: $0.data, speed: speed) })
    }

    /// Reads and checks each corpus of the grid, as training would split it; names each after its
    /// file (numbered when two share a name).
    private static func loadCorpora(_ grid: StudyGrid) throws -> [(corpus: Corpus, data: TrainingData)] {
        var names: Set<String> = []
        return try grid.corpora.map { path in
            var name = PathName.deletingExtension(PathName.lastComponent(path))
            if names.contains(name) { name += "-\(names.count + 1)" }
            names.insert(name)
            let data = try TrainingData.load(
                trainFile: path, validationFile: nil, validationFraction: grid.validationFraction,
                testFraction: grid.testFraction, bytes: grid.bytes)
            var check = TrainingSettings(trainFile: path)
            check.batch = grid.batch; check.sequence = grid.sequence
            try Trainer.checkData(data, settings: check)
            guard let test = data.test, test.count >= 2 else {
                throw TrainingError.validationTooSmall(characters: data.test?.count ?? 0)
            }
            let corpus = Corpus(
                name: name, path: path, characters: data.train.count + data.validation.count + test.count,
                vocabularySize: data.vocabulary.count, trainCharacters: data.train.count,
                fingerprint: try fingerprint(of: path))
            return (corpus, data)
        }
    }

    /// One corpus's points: every size, arm and budget, each with the rule's model, learning rate
    /// and dropout.
    private static func points(
        _ grid: StudyGrid, corpus: Corpus, data: TrainingData, speed: (ModelConfig) -> Double
    ) -> [Point] {
        var points: [Point] = []
        for size in grid.sizes {
            for arm in grid.arms {
                for budget in grid.budgets {
                    let choice = rule(
                        grid, arm: arm, size: size, budget: budget, vocabularySize: data.vocabulary.count,
                        trainCharacters: data.train.count
                    ) { speed($0) }
                    let config = ModelConfig(
                        architecture: arm.architecture, vocabularySize: data.vocabulary.count,
                        hiddenSize: choice.hiddenSize, layers: grid.layers)
                    points.append(
                        Point(
                            corpus: corpus.name, size: size, arm: arm.name, budget: budget,
                            hiddenSize: choice.hiddenSize, parameters: config.parameterCount,
                            ruleLearningRate: choice.learningRate, ruleDropout: choice.dropout))
                }
            }
        }
        return points
    }

    /// The automatic rule at one point (with the size fixed by a parameter count).
    static func rule(
        _ grid: StudyGrid, arm: StudyGrid.Arm, size: StudyGrid.Size, budget: StudyGrid.Budget, vocabularySize: Int,
        trainCharacters: Int, speed: (ModelConfig) -> Double
    ) -> AutoConfiguration.Choice {
        var hidden: Int?
        if case .parameters(let n) = size {
            hidden = hiddenSize(
                for: n, architecture: arm.architecture, vocabularySize: vocabularySize, layers: grid.layers)
        }
        var chars: Double?, seconds: Double?
        switch budget {
        case .characters(let c): chars = Double(c)
        case .seconds(let s): seconds = s
        }
        return AutoConfiguration.choose(
            architecture: arm.architecture, vocabularySize: vocabularySize, trainCharacters: trainCharacters,
            layers: grid.layers, batch: grid.batch, sequence: grid.sequence, budgetCharacters: chars,
            budgetSeconds: seconds, fixedHiddenSize: hidden, speed: speed)
    }

    /// The hidden size whose parameter count is closest to `target`.
    public static func hiddenSize(for target: Int, architecture: Architecture, vocabularySize: Int, layers: Int) -> Int
    {
        var best = 1, bestGap = Int.max
        for h in 1...4096 {
            let p = ModelConfig(
                architecture: architecture, vocabularySize: vocabularySize, hiddenSize: h, layers: layers
            ).parameterCount
            if abs(p - target) < bestGap { best = h; bestGap = abs(p - target) }
            if p > target { break }
        }
        return best
    }

    /// Size and FNV-1a hash of a file's bytes.
    public static func fingerprint(of path: String) throws -> String {
        let bytes = try InputFile.read(path, expected: "corpus")
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return "\(bytes.count):\(String(hash, radix: 16))"
    }

    func point(_ corpus: String, _ size: StudyGrid.Size, _ arm: String, _ budget: StudyGrid.Budget) -> Point {
        points.first { $0.corpus == corpus && $0.size == size && $0.arm == arm && $0.budget == budget }!
    }

    /// The search's choice for one (corpus, size, arm) at the smallest budget: (factor, added),
    /// or nil while a candidate has not finished. Without a search: (1, 0).
    func searchChoice(
        corpus: Corpus, size: StudyGrid.Size, arm: StudyGrid.Arm, directory: String
    ) -> (factor: Float, added: Float)? {
        guard let first = grid.budgets.first else { return (1, 0) }
        return settings(
            for: arm, at: first, in: searches(corpus: corpus, size: size, directory: directory),
            searched: searchedBudgets(corpus: corpus.name, size: size))
    }

    /// Every run known now: the search candidates known now (`StudySearch`), and the grid runs of
    /// each (corpus, size, arm, budget) whose search has chosen. In the order of work: corpus by
    /// corpus and size by size as the grid lists them (so the first corpus and size finish first),
    /// each one's search runs first, then its grid by budget, seed and arm (the arms of a point run
    /// side by side). `StudyRunner` always takes the first missing run.
    public func runs(in directory: String) -> [Run] {
        var out: [Run] = []
        for corpus in corpora {
            for size in grid.sizes {
                var final: [Run] = []
                let searches = searches(corpus: corpus, size: size, directory: directory)
                let searched = searchedBudgets(corpus: corpus.name, size: size)
                out += searches.flatMap { $0.flatMap(chosenCandidatesCounted) }
                for budget in grid.budgets where grid.includes(corpus: corpus.name, size: size, budget: budget) {
                    let reused = grid.gridReusesSearch == true && searched.contains(budget)
                    for seed in 1...UInt64(max(1, grid.seeds)) where !(reused && seed == 1) {
                        for arm in grid.arms {
                            guard let (factor, added) = settings(for: arm, at: budget, in: searches, searched: searched)
                            else { continue }
                            let name = "\(corpus.name)-\(size.label)-\(arm.name)-\(budget.label)-seed\(seed)"
                            final.append(
                                run(
                                    name: name, isSearch: false, corpus: corpus,
                                    point: point(corpus.name, size, arm.name, budget), arm: arm, seed: seed,
                                    factor: factor, added: added, directory: directory))
                        }
                    }
                }
                out += final
            }
        }
        return out
    }

    /// A search's candidates, the chosen one marked as the grid's seed-1 run where the plan
    /// reuses it.
    func chosenCandidatesCounted(_ search: StudySearch) -> [Run] {
        guard grid.gridReusesSearch == true, let choice = search.choice else { return search.candidates }
        return search.candidates.map { r in
            var r = r
            r.countsInGrid = r.learningRateFactor == choice.factor && r.dropoutAdded == choice.added
            return r
        }
    }

    func run(
        name: String, isSearch: Bool, corpus: Corpus, point p: Point, arm: StudyGrid.Arm, seed: UInt64,
        factor: Float, added: Float, directory: String
    ) -> Run {
        let lr = p.ruleLearningRate * factor
        let dropout = min(0.9, ((p.ruleDropout + added) * 100).rounded() / 100)
        var w = ["charrnn", "train", corpus.path]
        func add(_ flag: TrainFlag, _ value: String) { w += [flag.text, value] }
        add(.valFraction, "\(grid.validationFraction)"); add(.testFraction, "\(grid.testFraction)")
        if grid.bytes { w.append(TrainFlag.bytes.text) }
        add(.arch, arm.architecture.rawValue); add(.layers, "\(grid.layers)"); add(.hidden, "\(p.hiddenSize)")
        if let f = arm.forgetBias { add(.forgetBias, "\(f)") }
        add(.dropout, "\(dropout)"); add(.lr, "\(lr)")
        add(.batch, "\(grid.batch)"); add(.seq, "\(grid.sequence)"); add(.seed, "\(seed + arm.seedOffset)")
        switch p.budget {
        case .seconds(let s): add(.time, "\(Int(s.rounded()))s")
        case .characters(let c): add(.steps, "\(max(1, c / (grid.batch * grid.sequence)))")
        }
        if let precision = grid.precision { add(.precision, precision.rawValue) }
        add(.checkpointDir, directory + "/runs"); add(.name, name)
        w += [TrainFlag.continue.text, TrainFlag.quiet.text]
        return Run(
            name: name, isSearch: isSearch, countsInGrid: !isSearch, corpus: corpus.name, size: p.size, arm: arm,
            budget: p.budget, seed: seed,
            hiddenSize: p.hiddenSize, learningRate: lr, dropout: dropout, learningRateFactor: factor,
            dropoutAdded: added, words: w)
    }

    /// The manifest: one command line per run known now.
    public func manifest(in directory: String) -> String {
        runs(in: directory).map { $0.commandLine + "\n" }.joined()
    }

    /// Writes study.json into `directory`.
    public func save(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try OutputFile.write(JSONCoding.string(self, pretty: true) + "\n", to: directory + "/" + Self.planFile)
    }

    /// Writes runs.txt into `directory` (the runs known now) and returns them.
    @discardableResult
    public func writeManifest(in directory: String) throws -> [Run] {
        let runs = runs(in: directory)
        try OutputFile.write(runs.map { $0.commandLine + "\n" }.joined(), to: directory + "/" + Self.manifestFile)
        return runs
    }

    /// The plan saved in `directory`.
    public static func load(from directory: String) throws -> StudyPlan {
        let path = directory + "/" + planFile
        let bytes = try InputFile.read(path, expected: "study plan")
        do {
            return try JSONCoding.decoder().decode(StudyPlan.self, from: Data(bytes))
        } catch {
            throw StudyError.damagedPlan(path: path, detail: "\(error)")
        }
    }
}

/// What goes wrong with a study folder.
public enum StudyError: Error, CustomStringConvertible, Equatable {
    case damagedPlan(path: String, detail: String)
    case differentPlan(directory: String)
    case notAStudy(directory: String)
    case noPlan(directory: String)
    case runsFailed(count: Int, logs: String)
    case busy(directory: String, pid: Int32?)
    case omissionOutsideGrid(point: String, corpora: [String])

    public var description: String {
        switch self {
        case .damagedPlan(let p, let d): return "\(p): not a study plan (\(d.prefix(200)))"
        case .differentPlan(let d):
            return "\(d): holds a study planned with other settings; give --overwrite to replace it, or another --out"
        case .notAStudy(let d): return "\(d): holds files that are not a study plan; give --overwrite or another --out"
        case .noPlan(let d): return "\(d): no study.json here; make one with `charrnn study plan FILE… --out \(d)`"
        case .runsFailed(let n, let logs): return "\(n) run\(n == 1 ? "" : "s") failed; see \(logs)"
        case .omissionOutsideGrid(let point, let corpora):
            return
                "the point \(point) to omit names no corpus of the plan (its corpora: \(corpora.joined(separator: ", ")))"
        case .busy(let d, let pid):
            return "\(d): another charrnn study run\(pid.map { " (pid \($0))" } ?? "") is running this study; "
                + "wait for it, or stop it first"
        }
    }
}
