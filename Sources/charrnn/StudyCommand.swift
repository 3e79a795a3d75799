import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "LSTM or GRU? A fair comparison over budgets, model sizes and corpora, with a report.",
        discussion: """
            A study is a plan of independent training runs. `study plan` writes DIR/study.json and the \
            manifest DIR/runs.txt, one complete `charrnn train ... --continue` line per run; `study run` \
            executes the missing ones (--jobs at a time, resuming a killed run, never redoing a finished \
            one); `study report` aggregates whatever has finished into DIR/report.md, SVG figures and \
            results.json. `charrnn study FILE...` does all three. The manifest also runs under xargs -P, GNU \
            parallel or a Slurm array: the grid's lines appear once each arm's search has finished, so run \
            it, re-run the same `study plan` command, and run it again.
            """,
        subcommands: [StudyAllCommand.self, StudyPlanCommand.self, StudyRunCommand.self, StudyReportCommand.self],
        defaultSubcommand: StudyAllCommand.self)
}
