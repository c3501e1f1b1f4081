import CallwardenCore
import CallwardenEngine
import Foundation

/// `callwardend --check-policy FILE`, like `nginx -t`: prints what is wrong with file:line, or a
/// one-line summary of a valid policy.
enum PolicyCheck {
    static func run(path: String) -> Int32 {
        do {
            let loaded = try LoadedPolicy.load(path: path)
            let policy = loaded.policy
            for line in policy.checkReport(file: path, hash: loaded.hash) { print(line) }
            return 0
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return 1
        }
    }
}
