import CallwardenCore

/// One input: the text of a policy file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let policy: Policy
    do {
        policy = try PolicyParser.parse(text, file: "fuzz.yaml")
    } catch {
        require(!error.errors.isEmpty, "a refused policy with no error")
        for problem in error.errors {
            require(problem.line >= 0, "an error on a negative line")
            require(problem.description.hasPrefix("fuzz.yaml"), "an error that does not name the file: \(problem)")
        }
        return 0
    }
    PolicyProperties.check(policy)
    return 0
}

func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
