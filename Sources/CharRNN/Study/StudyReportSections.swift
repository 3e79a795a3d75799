/// The report's sections on the course of each comparison along the budget and on matched
/// wall-clock time (plans with `StudyGrid.searchBudgets`; the published study's report predates them).
extension StudyReport {
    /// "## Along the budget": each comparison's differences by budget, where the sign changes, or
    /// where the trend would put the change.
    var courseSection: String {
        let all = crossovers
        guard !all.isEmpty else { return "" }
        var md = "## Along the budget\n\n"
        md += "| corpus | size | comparison | " + plan.grid.budgets.map(\.label).joined(separator: " | ")
        md += " | where the sign changes |\n|---|---|---|" + String(repeating: "---|", count: plan.grid.budgets.count)
        md += "---|\n"
        for c in all {
            md += "| \(c.corpus) | \(c.size) | \(name(c.first)) − \(name(c.second)) | "
            for b in plan.grid.budgets {
                md += (c.amounts.firstIndex(of: b.amount).map { c.intervals[$0].text } ?? "—") + " | "
            }
            md += change(c) + " |\n"
        }
        md += "\nA sign change is located on the line through the two means around it (in log budget); where "
        md += "there is none, the least-squares line through all the means against log budget says where it "
        md += "would reach 0: an extrapolation, not a finding.\n\n"
        return md
    }

    func change(_ c: Crossover) -> String {
        if let s = c.signChange {
            return "between \(formatQuantity(s.from)) and \(formatQuantity(s.to)) (near \(Self.roughly(s.at)))"
        }
        let first = c.intervals.first!.mean < 0 ? c.first : c.second
        var text = "none within the grid (\(name(first)) ahead throughout)"
        if let z = c.trendZero { text += "; the trend reaches 0 near \(Self.roughly(z))" }
        return text
    }

    /// A located or extrapolated budget to two significant figures (448.99M → 450M): the line
    /// through a few noisy means says no more.
    static func roughly(_ x: Double) -> String { formatQuantity(ArchitectureEvidence.twoFigures(x)) }

    /// "## At matched wall-clock time": the comparison where each arm trains for the same time.
    var matchedTimeSection: String {
        let all = matchedTime
        guard !all.isEmpty else { return "" }
        var md = "## At matched wall-clock time\n\n"
        md += "Speeds are each model's training chars/s measured when the study was planned, on the whole "
        md += "machine (\(plan.estimate?.measuredOn ?? "the planning machine")), nothing else running. In the "
        md += "time the faster arm takes for a budget, the slower one sees that budget × the speed ratio; its "
        md += "loss there is read off its own seeds' losses, linear in log budget between the grid's budgets "
        md += "(never extrapolated), and paired with the faster arm's by seed.\n\n"
        md += "| corpus | size | comparison | faster (speed ratio) | faster's budget | slower's characters | "
        md += "seeds | difference, mean [95% CI] |\n|---|---|---|---|---|---|---|---|\n"
        for m in all {
            for p in m.points {
                md += "| \(m.corpus) | \(m.size) | \(name(m.first)) − \(name(m.second)) | "
                md += "\(name(m.faster)) (" + String(printf: "%.2f×", 1 / m.speedRatio) + ") | "
                md += "\(formatQuantity(p.fasterCharacters)) | \(formatQuantity(p.slowerCharacters.rounded())) | "
                md += "\(p.seeds) | \(p.interval.text) |\n"
            }
        }
        return md + "\n"
    }
}

/// The report's rule: which arm to pick at each size and budget.
extension StudyReport {
    /// "## What to pick": for each comparison, size and budget, the arm significantly better on
    /// some corpus and worse on none; where neither is, no finding, and the faster arm at that size
    /// (as measured when the study was planned). `--arch auto` applies the same rule.
    func pickSection(_ cells: [Cell]) -> String {
        var md = ""
        for pair in plan.grid.activeComparisons {
            let sizes = plan.grid.sizes.filter { s in cells.contains { $0.size == s.label } }
            guard !sizes.isEmpty else { continue }
            md += "| \(name(pair.0.name)) or \(name(pair.1.name))? | "
            md += plan.grid.budgets.map(\.label).joined(separator: " | ") + " |\n|---|"
            md += String(repeating: "---|", count: plan.grid.budgets.count) + "\n"
            for size in sizes {
                var row = ["| \(size.label) parameters"]
                for budget in plan.grid.budgets {
                    let ds = cells.filter { $0.size == size.label && $0.budgetAmount == budget.amount }
                        .compactMap { $0.difference(pair.0.name, pair.1.name) }
                        .filter(\.interval.isBounded)
                    row.append(pick(pair, differences: ds, size: size))
                }
                md += row.joined(separator: " | ") + " |\n"
            }
            md += "\n"
        }
        guard !md.isEmpty else { return "" }
        return "## What to pick\n\n" + md
            + "An arm is picked where it has significantly lower test loss on at least one corpus and higher on "
            + "none (the corpora that finished the point, mean difference over them); elsewhere the study has no "
            + "finding there, and the arm that trains faster at that size on the planning machine "
            + "(\(plan.estimate?.measuredOn ?? "not measured")) sees more characters in the same time; — marks a "
            + "point without two seeds of both arms yet. "
            + "`charrnn train --arch auto` applies this rule at the point nearest to its run, with the speeds of the "
            + "machine it runs on; where neither arm does \(ArchitectureEvidence.clearlyFasterMargin) more work per "
            + "second there, it takes the one with the lower mean test loss at that point.\n\n"
    }

    /// One size and budget's pick, from the paired differences on each corpus (those with an interval).
    func pick(_ pair: (StudyGrid.Arm, StudyGrid.Arm), differences ds: [Difference], size: StudyGrid.Size) -> String {
        let faster = fasterArm(pair, size: size).map { (name($0.arm), $0.ratio) }
        let names = [pair.0.name: name(pair.0.name), pair.1.name: name(pair.1.name)]
        return Self.pick(first: pair.0.name, second: pair.1.name, names: names, differences: ds, faster: faster)
    }

    /// The pick's text: the arm better on some corpus and worse on none, "depends on the corpus",
    /// or no significant difference and which arm (display name) trains faster by how much.
    static func pick(
        first: String, second: String, names: [String: String], differences ds: [Difference],
        faster: (name: String, ratio: Double)?
    ) -> String {
        guard !ds.isEmpty else { return "—" }
        let a = ds.filter { $0.winner == first }.count, b = ds.filter { $0.winner == second }.count
        let (x, y) = (names[first] ?? first, names[second] ?? second)
        let of = "of \(ds.count) " + (ds.count == 1 ? "corpus" : "corpora")
        let difference = "\(x) − \(y) " + String(printf: "%+.3f", Statistics.mean(ds.map(\.interval.mean)))
        if a > 0 && b > 0 { return "depends on the corpus (\(x) better on \(a), \(y) on \(b) \(of))" }
        if a > 0 || b > 0 { return "**\(a > 0 ? x : y)** (better on \(max(a, b)) \(of); \(difference))" }
        var text = "no significant difference (\(difference))"
        if let f = faster { text += "; \(f.name) trains " + String(printf: "%.2f×", f.ratio) + " as fast" }
        return text
    }

    /// The arm of a pair that trains faster at one size (geometric mean of the planned speeds over
    /// the corpora), and by how much; nil without measured speeds.
    func fasterArm(_ pair: (StudyGrid.Arm, StudyGrid.Arm), size: StudyGrid.Size) -> (arm: String, ratio: Double)? {
        func speed(_ arm: String) -> Double? {
            let v = plan.corpora.compactMap { c in
                plan.grid.budgets.lazy.compactMap { plan.point(c.name, size, arm, $0).charactersPerSecond }.first
            }.filter { $0 > 0 }
            return v.isEmpty ? nil : Statistics.geometricMean(v)
        }
        guard let v0 = speed(pair.0.name), let v1 = speed(pair.1.name) else { return nil }
        return v0 >= v1 ? (pair.0.name, v0 / v1) : (pair.1.name, v1 / v0)
    }
}
