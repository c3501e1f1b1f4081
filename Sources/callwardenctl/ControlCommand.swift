import ArgumentParser

/// A subcommand whose failures print one clear line on stderr and exit with the status they
/// carry, rather than ArgumentParser's generic error and status 1.
protocol ControlCommand: ParsableCommand {
    func execute() throws(ControlFailure)
}

extension ControlCommand {
    func run() throws {
        do {
            try execute()
        } catch {
            Output.error(error.message)
            throw ExitCode(error.status)
        }
    }
}
