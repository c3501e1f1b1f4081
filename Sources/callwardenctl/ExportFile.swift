import CallwardenExport
import Foundation

/// `verify --file`: the export read from disk and verified by CallwardenExport, its errors
/// turned into callwardenctl's exit statuses.
enum ExportFile {
    static func verify(_ file: String) throws(ControlFailure) -> ExportVerification {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ControlFailure(ExitStatus.dataError, "cannot read \(file): \(error.localizedDescription)")
        }
        switch ExportVerification.verify(bytes: [UInt8](data)) {
        case .success(let verification): return verification
        case .failure(let error): throw ControlFailure(ExitStatus.dataError, "\(file) is not a valid export: \(error.message)")
        }
    }
}
