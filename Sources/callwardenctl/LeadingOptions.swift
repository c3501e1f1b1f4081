/// `callwardenctl --socket PATH status`, as `systemctl` and `git` users write it: the connection
/// options given before the subcommand are moved after it, where each subcommand reads them.
/// Written by hand because the argument parser reads a subcommand's options only after its name,
/// and these options belong to every subcommand that talks to the daemon.
enum LeadingOptions {
    /// Options that take a value, and flags, that every daemon subcommand accepts.
    static let valued: Set<String> = ["--socket", "--timeout"]
    static let flags: Set<String> = ["--json"]

    /// `arguments` (without the program's name) with leading connection options moved to the end.
    /// Anything else before the subcommand (`--help`, `--version`, an unknown option) stops the
    /// move, so the parser reports it as it would.
    static func moved(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) || (valued.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.endIndex {
                leading += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.endIndex else { return arguments }
        return Array(arguments[index...]) + leading
    }
}
