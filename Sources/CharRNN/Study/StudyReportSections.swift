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
