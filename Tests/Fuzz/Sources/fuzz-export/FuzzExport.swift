import CallwardenExport

/// One input: an export file (docs/record.md), read and verified by the same code as
/// `callwardenctl verify --file`.
func fuzzExport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard case .success(let result) = ExportVerification.verify(bytes: bytes) else { return 0 }
    require(result.verified == (result.problem == nil), "verified \(result.verified) with problem \(String(describing: result.problem))")
    if let problem = result.problem {
        require(!problem.message.isEmpty, "a problem without a message")
    }
    if result.verified, result.chain == .complete, let report = result.report {
        require(report.entries == result.entries, "\(report.entries) entries verified of \(result.entries)")
    }
    return 0
}

func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
