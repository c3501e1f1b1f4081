import ArgumentParser
import CallwardenProtocol

struct ReloadCommand: ControlCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make callwarden re-read its policy file.",
        discussion: """
            The same as `systemctl reload callwarden` or SIGHUP, but waits for the outcome. A policy \
            with errors is refused with every error (file:line), exit status 65, and the policy in \
            force keeps serving. Check a file first with `callwardenctl check-policy FILE`. Needs the \
            admin role.
            """)

    @OptionGroup var options: ConnectionOptions

    func execute() throws(ControlFailure) {
        let answer = try options.request("reload")
        guard !options.json else { return }
        let policy = answer["policy"]
        Output.line("Policy \(policy["name"].text) (\(policy["hash"].text)) loaded from \(policy["path"].text).")
    }
}
