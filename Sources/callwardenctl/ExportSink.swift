import Foundation

/// Where an export goes: a file, written to a temporary name and renamed when complete so that
/// a failed export never leaves a truncated file looking whole; or standard output.
final class ExportSink {
    private let path: String?
    private let temporary: String?
    private let handle: FileHandle

    init(path: String?) throws(ControlFailure) {
        self.path = path
        guard let path else {
            temporary = nil
            handle = FileHandle.standardOutput
            return
        }
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw ControlFailure(ExitStatus.cannotCreate, "cannot write \(temporary)")
        }
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ text: String) throws(ControlFailure) {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw ControlFailure(ExitStatus.cannotCreate, "cannot write \(temporary ?? "standard output"): \(error.localizedDescription)")
        }
    }

    func close() throws(ControlFailure) {
        guard let path, let temporary else { return }
        do {
            try handle.synchronize()
            try handle.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw ControlFailure(ExitStatus.cannotCreate, "cannot finish \(path): \(error.localizedDescription)")
        }
    }
}
