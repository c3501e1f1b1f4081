import CallwardenProtocol
import CallwardenRecord

/// One input: an export file (docs/record.md), verified as `callwardenctl verify --file` does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let document = try? JSONParser.parse(bytes) else { return 0 }
    guard let export = ExportReader.read(document) else { return 0 }
    let report = export.verify()
    require(report.verified == (report.problem == nil), "verified \(report.verified) with problem \(String(describing: report.problem))")
    if let problem = report.problem {
        require(!problem.message.isEmpty, "a problem without a message")
    }
    if report.verified, export.chain == .complete {
        require(report.entries == export.links.count, "\(report.entries) entries verified of \(export.links.count)")
    }
    return 0
}

func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
