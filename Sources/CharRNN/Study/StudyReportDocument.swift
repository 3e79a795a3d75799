#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The study's documents: report.md, the SVG figures it shows and results.json.
extension StudyReport {
    /// The figures: file name → SVG.
    public var figures: [(name: String, svg: String)] {
        let cells = self.cells
        var out: [(String, String)] = []
        let unit =
            plan.grid.budgets.first.map {
                if case .seconds = $0 {
                    "training time per run"
                } else {
                    "characters seen per run"
                }
            } ?? "budget"
        let ticks = plan.grid.budgets.map { ($0.amount, $0.label) }
        for corpus in plan.corpora {
            for size in plan.grid.sizes {
                let mine = cells.filter { $0.corpus == corpus.name && $0.size == size.label }
                guard !mine.isEmpty else { continue }
                let series = plan.grid.arms.enumerated().map { i, arm in
                    BandPlot.Series(
                        label: arm.displayName, colour: BandPlot.colour(arm: arm.name, index: i),
                        points: mine.compactMap { c in
                            c.arms.first { $0.arm == arm.name }.map {
                                (c.budgetAmount, $0.interval.mean, $0.interval.low, $0.interval.high)
                            }
                        })
                }
                out.append(
                    (
                        "\(corpus.name)-\(size.label)-loss.svg",
                        BandPlot.svg(
                            series, ticks: ticks, title: "\(corpus.name), \(size.label) parameters: test loss",
                            xTitle: unit, yTitle: "test loss (nats per character), mean and 95% interval")
                    ))
            }
            if let f = differenceFigure(
                corpus, cells: cells.filter { $0.corpus == corpus.name }, ticks: ticks, unit: unit)
            {
                out.append(f)
            }
        }
        return out
    }

    /// One corpus's paired differences against the budget, every comparison and size (nil with none).
    func differenceFigure(
        _ corpus: StudyPlan.Corpus, cells mine: [Cell], ticks: [(Double, String)], unit: String
    ) -> (name: String, svg: String)? {
        var series: [BandPlot.Series] = []
        for (k, size) in plan.grid.sizes.enumerated() {
            for (j, (a, b)) in plan.grid.activeComparisons.enumerated() {
                var line = BandPlot.Series(
                    label: "\(a.displayName) − \(b.displayName), \(size.label)",
                    colour: BandPlot.colour(arm: a.name == "lstm" && b.name == "gru" ? "lstm" : a.name, index: j),
                    points: mine.filter { $0.size == size.label }.compactMap { c in
                        c.difference(a.name, b.name).map {
                            (c.budgetAmount, $0.interval.mean, $0.interval.low, $0.interval.high)
                        }
                    })
                if a.name == "lstm" && b.name == "gru" { line.colour = "hsl(270, 50%, 40%)" }
                line.dashed = k % 2 == 1
                series.append(line)
            }
        }
        guard series.contains(where: { !$0.points.isEmpty }) else { return nil }
        return (
            "\(corpus.name)-difference.svg",
            BandPlot.svg(
                series, ticks: ticks, title: "\(corpus.name): paired differences in test loss",
                xTitle: unit, yTitle: "difference (nats per character); below 0: first is better",
                zero: true)
        )
    }

    /// The search of a study planned before `StudyGrid.searchBudgets`: one fixed grid at the
    /// smallest budget.
    var firstBudgetSearch: String {
        let g = plan.grid
        var md = ""
        md += "**Equal tuning.** Every arm at every corpus and size gets the automatic rule's settings plus the "
        md += "same search: learning rate × {" + g.searchLearningRates.map { "\($0)" }.joined(separator: ", ")
        md += "} and dropout + {" + g.searchDropouts.map { "\($0)" }.joined(separator: ", ")
        md += "}, \(g.searchLearningRates.count * g.searchDropouts.count) runs at the smallest budget (seed 1); "
        md += "the lowest validation loss chooses the factor and the addition used at every budget.\n\n"
        md +=
            "| corpus | size | arm | chosen lr × | chosen dropout + | "
            + "candidates (lr ×, dropout +: best validation) |\n"
        md += "|---|---|---|---|---|---|\n"
        // Arms whose chosen learning rate is at an end of the range tried.
        var edge = 0, chosen = 0
        let lo = g.searchLearningRates.min() ?? 1, hi = g.searchLearningRates.max() ?? 1
        for corpus in plan.corpora {
            for size in g.sizes {
                for arm in g.arms {
                    let cands = runs.filter {
                        $0.isSearch && $0.corpus == corpus.name && $0.size == size && $0.arm.name == arm.name
                    }
                    let shown = cands.map { c in
                        "\(c.learningRateFactor), \(c.dropoutAdded): "
                            + (results[c.name]?.bestValidationLoss.map { String(printf: "%.4f", $0) } ?? "—")
                    }
                    let choice = plan.searchChoice(corpus: corpus, size: size, arm: arm, directory: directory)
                    if let c = choice {
                        chosen += 1
                        if g.searchLearningRates.count > 1 && (c.factor == lo || c.factor == hi) { edge += 1 }
                    }
                    md += "| \(corpus.name) | \(size.label) | \(arm.displayName) | "
                    md += "\(choice.map { "\($0.factor)" } ?? "pending") | "
                    md += "\(choice.map { "\($0.added)" } ?? "pending") | " + shown.joined(separator: "; ") + " |\n"
                }
            }
        }
        if edge > 0 {
            md += "\nThe chosen learning rate lies at an end of the range tried for \(edge) of \(chosen) arms: "
            md += "a wider search could move them, and would have to be the same for every arm to keep the "
            md += "comparison fair.\n"
        }
        md += "\n"
        return md
    }

    /// The search of each arm at each searched budget (`StudySearch`): every candidate, the choice,
    /// and whether it lies inside the learning rates tried.
    var searchSection: String {
        let g = plan.grid
        var md = "**Equal tuning.** Every arm at every corpus and size gets the automatic rule's settings plus the "
        md +=
            "same search, at "
            + (g.searchBudgets == .all
                ? "every budget"
                : g.searchBudgets == .ends
                    ? "the smallest and the largest budget (the budgets between take the smaller one's choice)"
                    : "the smallest budget (every budget takes its choice)")
        md += ": the rule's learning rate × {" + g.searchLearningRates.map { "\($0)" }.joined(separator: ", ")
        md += "}, centred on the previous searched budget's choice, with dropout + {"
        md += g.searchDropouts.map { "\($0)" }.joined(separator: ", ") + "}, seed 1. While any arm's best lies at "
        md += "an end of its learning rates, every arm gets one more candidate beyond that end (at most "
        md += "\(g.searchExtensions ?? 3) times at each end), so every arm gets as many candidates. The lowest "
        md += "validation loss chooses.\n\n"
        md += "| corpus | size | budget | arm | chosen lr × | chosen dropout + | inside the range | "
        md += "candidates (lr ×, dropout +: best validation) |\n|---|---|---|---|---|---|---|---|\n"
        var atEnd = 0
        for corpus in plan.corpora {
            for size in g.sizes {
                for s in plan.searches(corpus: corpus, size: size, directory: directory).joined() {
                    let shown = s.candidates.map { c in
                        "\(c.learningRateFactor), \(c.dropoutAdded): "
                            + (results[c.name]?.bestValidationLoss.map { String(printf: "%.4f", $0) } ?? "—")
                    }
                    if s.interior == false { atEnd += 1 }
                    md += "| \(corpus.name) | \(size.label) | \(s.budget.label) | \(s.arm.displayName) | "
                    md +=
                        "\(s.choice.map { "\($0.factor)" } ?? "pending") | \(s.choice.map { "\($0.added)" } ?? "pending") | "
                    md += (s.interior.map { $0 ? "yes" : "**no**" } ?? "pending") + " | "
                    md += shown.joined(separator: "; ") + " |\n"
                }
            }
        }
        if atEnd > 0 {
            md += "\n\(atEnd) search\(atEnd == 1 ? "" : "es") ended with the best learning rate still at an end "
            md += "of the range, after every extension: the optimum there is not bracketed.\n"
        }
        return md + "\n"
    }

    /// report.md.
    public var markdown: String {
        let cells = self.cells
        var md = "# LSTM or GRU? Study report\n\n" + statusNotice + answerSection(cells)
        if plan.grid.searchBudgets != nil { md += pickSection(cells) }
        md += setupSection
        for corpus in plan.corpora { md += corpusSection(corpus, cells: cells.filter { $0.corpus == corpus.name }) }
        if plan.grid.searchBudgets != nil { md += courseSection + matchedTimeSection + regularisationSection }
        return md + speedSection(cells) + computeSection
    }

    /// What has not finished and what cannot be read.
    var statusNotice: String {
        var md = ""
        let (known, waiting) = missing
        if !known.isEmpty || waiting > 0 {
            md += "**Partial:** \(known.count) run\(known.count == 1 ? "" : "s") of the manifest not finished"
            if waiting > 0 { md += ", and \(waiting) grid runs waiting for their search" }
            md += "; everything below uses the runs that have finished."
            if let left = plan.secondsLeft(known: runs, isFinished: { results[$0.name] != nil }), left > 0 {
                md += " About \(formatDuration(left)) of training is left at the speeds measured when the study was "
                md += "planned, one run at a time (more where a search widens)."
            }
            md += "\n\n"
        }
        if !invalid.isEmpty {
            md +=
                "**Left out:** \(invalid.count) result\(invalid.count == 1 ? "" : "s") that cannot be true or "
                + "cannot be read, never aggregated:\n\n"
            for (name, reason) in invalid { md += "- `\(name)`: \(reason)\n" }
            md += "\n"
        }
        return md
    }

    /// "## Answer": each comparison's verdict per corpus and over all of them.
    func answerSection(_ cells: [Cell]) -> String {
        var md = "## Answer\n\n"
        for pair in plan.grid.activeComparisons {
            md += "**\(pair.0.displayName) against \(pair.1.displayName)**\n\n"
            for corpus in plan.corpora {
                md +=
                    "- " + verdict(pair, cells: cells.filter { $0.corpus == corpus.name }, scope: "**\(corpus.name)**")
                md += "\n"
            }
            if plan.corpora.count > 1 { md += "- " + verdict(pair, cells: cells, scope: "**All corpora**") + "\n" }
            md += "\n"
        }
        let points = cells.flatMap(\.differences).count
        md += "Each interval is a 95% Student's t interval over seeds, paired by seed (the arms of a pair share "
        md += "seeds), for one point; with \(points) intervals, about \(String(printf: "%.1f", Double(points) / 20)) "
        md += "would exclude 0 by chance alone if nothing differed.\n\n"
        return md
    }

    /// "## Setup": the corpora, the split, the models and the search.
    var setupSection: String {
        let g = plan.grid
        var md = "## Setup\n\n"
        md += "| corpus | characters | symbols | training part | fingerprint (bytes:FNV-1a) |\n|---|---|---|---|---|\n"
        for c in plan.corpora {
            md += "| \(c.name) | \(c.characters) | \(c.vocabularySize) | \(c.trainCharacters) | `\(c.fingerprint)` |\n"
        }
        md += "\nEach corpus is split into training, validation (the \(g.validationFraction) of the file before the "
        md += "test part; it picks each run's best checkpoint and the search's winner) and test (the last "
        md += "\(g.testFraction), scored once per run by its best checkpoint, after its budget). Every model has "
        md += "\(g.layers) layers and one-hot input; batches of \(g.batch) × \(g.sequence) characters; Adam with "
        md += "warm-up and cosine decay; the automatic rule's weight drop, weight decay and weight average. Budgets: "
        md += g.budgets.map(\.label).joined(separator: ", ") + ". Sizes: "
        md += g.sizes.map { $0 == .automatic ? "auto (the automatic rule's size at each budget)" : $0.label }
            .joined(separator: ", ")
        md += " parameters (matched: each architecture takes the hidden size whose count is closest). Seeds: "
        md += "\(g.seeds). Arms: " + g.arms.map(\.displayName).joined(separator: ", ") + ".\n\n"
        if g.searches { md += g.searchBudgets == nil ? firstBudgetSearch : searchSection }
        return md
    }

    /// One corpus: its figures, every arm at every point, the comparisons, and how they change.
    func corpusSection(_ corpus: StudyPlan.Corpus, cells mine: [Cell]) -> String {
        var md = "## \(corpus.name)\n\n"
        guard !mine.isEmpty else { return md + "No finished grid runs yet.\n\n" }
        for size in plan.grid.sizes where mine.contains(where: { $0.size == size.label }) {
            md += "![\(corpus.name) \(size.label) test loss](\(corpus.name)-\(size.label)-loss.svg)\n"
        }
        md += "![\(corpus.name) differences](\(corpus.name)-difference.svg)\n\n"
        md += "| size | budget | arm | hidden | parameters | seeds | test nats/char, mean [95% CI] | "
        md += "characters seen | seconds | chars/s |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for c in mine {
            for a in c.arms {
                md += "| \(c.size) | \(c.budget) | \(name(a.arm)) | \(a.hiddenSize) | \(a.parameters) | "
                md += "\(a.testLoss.count) | \(a.interval.text) | \(formatQuantity(a.characters)) | "
                md += String(printf: "%.0f | %.0f |\n", a.seconds, a.charactersPerSecond)
            }
        }
        md += "\n| size | budget | comparison (paired by seed) |\n|---|---|---|\n"
        for c in mine {
            md += "| \(c.size) | \(c.budget) | " + c.differences.map(sentence).joined(separator: "; ") + " |\n"
        }
        return md + "\n" + outcomeChanges(mine) + "\n"
    }

    /// For each comparison and size, whether the outcome is the same at every budget, or where it changes.
    func outcomeChanges(_ mine: [Cell]) -> String {
        var md = ""
        for pair in plan.grid.activeComparisons {
            for size in plan.grid.sizes {
                let line = mine.filter { $0.size == size.label }.compactMap { c in
                    c.difference(pair.0.name, pair.1.name).map {
                        (c.budget, $0.winner)
                    }
                }
                guard line.count > 1 else { continue }
                let changes = zip(line, line.dropFirst()).filter { $0.0.1 != $0.1.1 }
                md += "- \(name(pair.0.name)) vs \(name(pair.1.name)) at \(size.label): "
                if changes.isEmpty {
                    md += "the same outcome at every budget ("
                    md += (line[0].1.map { "\(name($0)) better" } ?? "no significant difference") + ").\n"
                } else {
                    md +=
                        changes.map { a, b in
                            "from \(a.0) (\(a.1.map(name) ?? "no significant difference")) to \(b.0) "
                                + "(\(b.1.map(name) ?? "no significant difference"))"
                        }.joined(separator: "; ") + ".\n"
                }
            }
        }
        return md
    }

    /// "## Matched parameters, matched time": each arm's speed over its runs.
    func speedSection(_ cells: [Cell]) -> String {
        let g = plan.grid
        var md = "## Matched parameters, matched time\n\n"
        md += "Every comparison above is at matched parameters and a matched budget. A GRU layer does three "
        md += "gates' arithmetic where an LSTM layer does four, so at the same hidden size it is about 3/4 of the "
        md += "work; at the same parameter count the GRU is wider and the arithmetic per character is about the "
        md += "same (two multiply-adds per weight). What each sees in the same wall-clock time then depends on "
        md +=
            "the measured speed:\n\n| corpus | size | arm | mean chars/s over its runs | relative to the first arm |\n"
        md += "|---|---|---|---|---|\n"
        for corpus in plan.corpora {
            for size in g.sizes {
                let rates = g.arms.map { arm in
                    Statistics.mean(
                        cells.filter { $0.corpus == corpus.name && $0.size == size.label }.compactMap { c in
                            c.arms.first { $0.arm == arm.name }?.charactersPerSecond
                        })
                }
                guard let base = rates.first, base.isFinite else { continue }
                for (arm, r) in zip(g.arms, rates) where r.isFinite {
                    md += "| \(corpus.name) | \(size.label) | \(arm.displayName) | \(Int(r)) | "
                    md += String(printf: "%.2f× |\n", r / base)
                }
            }
        }
        if case .seconds = g.budgets.first {
            md += "\nThe budgets are wall-clock time, so the grid compares at matched time; the characters-seen "
            md += "column shows what each architecture made of it.\n\n"
        } else {
            md += "\nThe budgets are characters seen, which no other process on the machine can change; at matched "
            md += "time an architecture that is r× as fast sees r× the characters, i.e. moves r× along the "
            md += "budget axis of the figures.\n\n"
        }
        return md
    }

    /// "## Compute spent", and what has not finished.
    var computeSection: String {
        let spent = computeSpent, known = missing.known
        var md = "## Compute spent\n\n\(spent.runs) finished runs (search included): "
        md += "\(formatDuration(spent.seconds)) of training, \(formatQuantity(spent.characters)) characters.\n"
        if !known.isEmpty { md += "\nNot finished: " + known.joined(separator: ", ") + ".\n" }
        return md
    }

    /// results.json: the plan, every point's summaries and differences, and every finished run.
    public var json: String {
        struct Out: Encodable {
            var plan: StudyPlan; var cells: [Cell]; var runs: [RunResult]; var missing: [String]
            var waitingForSearch: Int
        }
        return JSONCoding.string(
            Out(
                plan: plan, cells: cells, runs: results.values.sorted { $0.runName < $1.runName },
                missing: missing.known, waitingForSearch: missing.waiting), pretty: true) + "\n"
    }

    /// Writes report.md, results.json and the figures into the study folder.
    public func write() throws {
        for (name, svg) in figures { try OutputFile.write(svg, to: directory + "/" + name) }
        try OutputFile.write(markdown, to: directory + "/report.md")
        try OutputFile.write(json, to: directory + "/results.json")
    }
}
