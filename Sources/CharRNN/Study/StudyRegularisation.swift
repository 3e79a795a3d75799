/// The regularisation each grid point trained with, and where a larger budget ended worse than a
/// smaller one. Every run takes the automatic rule's dropout, weight drop and weight decay for its
/// number of passes over the training part, and the search tunes only the learning rate, so a
/// point where more characters gave a higher validation loss is most likely held back by that rule;
/// the report says so rather than leave it to the reader.
extension StudyReport {
    /// One arm at one point: the regularisation of its grid runs and their mean best validation.
    struct Regularisation: Equatable {
        var corpus: String, size: String, budget: String, arm: String
        var passes: Double
        var dropout: Float, weightDrop: Float, weightDecay: Float
        var validation: Double
    }

    /// Every arm at every point with a finished grid run, in the grid's order.
    var regularisation: [Regularisation] {
        var out: [Regularisation] = []
        for corpus in plan.corpora {
            for size in plan.grid.sizes {
                for budget in plan.grid.budgets {
                    for arm in plan.grid.arms {
                        let done = runs.filter {
                            $0.countsInGrid && $0.corpus == corpus.name && $0.size == size && $0.budget == budget
                                && $0.arm.name == arm.name
                        }.compactMap { results[$0.name] }
                        let validation = done.compactMap(\.bestValidationLoss)
                        guard let first = done.first, !validation.isEmpty else { continue }
                        out.append(
                            Regularisation(
                                corpus: corpus.name, size: size.label, budget: budget.label, arm: arm.name,
                                passes: Statistics.mean(done.map { Double($0.charactersSeen) })
                                    / Double(max(1, corpus.trainCharacters)),
                                dropout: first.config.dropout, weightDrop: first.settings.weightDrop ?? 0,
                                weightDecay: first.settings.weightDecay, validation: Statistics.mean(validation)))
                    }
                }
            }
        }
        return out
    }

    /// Consecutive budgets of one arm at one corpus and size where the larger one's mean best
    /// validation loss is higher.
    var regularisationReversals: [(smaller: Regularisation, larger: Regularisation)] {
        let all = regularisation
        var out: [(Regularisation, Regularisation)] = []
        for (i, a) in all.enumerated() {
            guard
                let b = all[(i + 1)...].first(where: {
                    $0.corpus == a.corpus && $0.size == a.size && $0.arm == a.arm
                }), b.validation > a.validation
            else { continue }
            out.append((a, b))
        }
        return out
    }

    /// "## Regularisation along the budget".
    var regularisationSection: String {
        let all = regularisation
        guard !all.isEmpty else { return "" }
        var md = "## Regularisation along the budget\n\n"
        md += "Every run takes the automatic rule's regularisation for its passes over the training part: "
        md += "dropout rising with the passes, and from \(Self.passes(AutoConfiguration.longRunPasses)) passes on "
        md += "weight drop on the hidden-to-hidden weights and weight decay. The search tunes the learning rate "
        md += "only, so this table is part of every comparison: both arms of a point get the same dropout and "
        md += "weight decay, and the rule's weight drop for their architecture.\n\n"
        md += "| corpus | size | budget | passes | arm | dropout | weight drop | weight decay | "
        md += "best validation, mean over seeds |\n|---|---|---|---|---|---|---|---|---|\n"
        for r in all {
            md += "| \(r.corpus) | \(r.size) | \(r.budget) | \(Self.passes(r.passes)) | \(name(r.arm)) | "
            md += String(
                printf: "%.2f | %.2f | %.2f | %.4f |\n", Double(r.dropout), Double(r.weightDrop), Double(r.weightDecay),
                r.validation)
        }
        let reversals = regularisationReversals
        if reversals.isEmpty {
            md += "\nAt every corpus, size and arm, a larger budget reached a lower validation loss.\n\n"
            return md
        }
        md += "\nWhere a larger budget ended worse, the likeliest cause is the rule's heavier regularisation there "
        md += "(more characters alone do not raise the best validation loss, and the search chose the learning "
        md += "rate for that regularisation): both arms are held back by the same rule, and the comparison says "
        md += "less about the architectures than its budget suggests.\n\n"
        for (a, b) in reversals {
            md += "- \(a.corpus), \(a.size), \(name(a.arm)): best validation "
            md += String(printf: "%.4f at ", a.validation) + a.budget
            md += String(printf: " and %.4f at ", b.validation) + b.budget
            md += " (dropout " + Self.change(a.dropout, b.dropout) + ", weight drop "
            md += Self.change(a.weightDrop, b.weightDrop) + ", weight decay "
            md += Self.change(a.weightDecay, b.weightDecay) + ").\n"
        }
        return md + "\n"
    }

    /// "0.11 → 0.20", or "0.00 unchanged".
    static func change(_ a: Float, _ b: Float) -> String {
        a == b ? String(printf: "%.2f unchanged", Double(a)) : String(printf: "%.2f → %.2f", Double(a), Double(b))
    }

    /// Passes over the data: whole from 10 on, one decimal below.
    static func passes(_ x: Double) -> String {
        x >= 10 ? "\(Int(x.rounded()))" : String(printf: "%.1f", x)
    }
}
