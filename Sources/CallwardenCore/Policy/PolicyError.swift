/// One thing wrong with a policy file: where, which key, and what would be valid.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as named to callwarden (or `<policy>` for text with no file).
    public var file: String
    /// 1-based; 0 when the problem is the file as a whole.
    public var line: Int
    /// The key's path, like `rules[2].when.incidents.kinds`; empty for the whole file.
    public var key: String
    public var message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `policy.yaml:42: rules[2].route: unknown route 'vip'; valid: normal, supervisor, nuisance`
    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
    }
}

/// All the errors found in one policy file, in file order.
public struct PolicyErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [PolicyError]

    public init(_ errors: [PolicyError]) {
        self.errors = errors.sorted { $0.line < $1.line }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
