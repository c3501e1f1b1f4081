import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A system user and its own group, made for one test and removed after it (needs root).
final class TestUser {
    let name: String
    let group: String
    let uid: UInt32
    let gid: UInt32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether this process may create users and run programs as them.
    static var canCreate: Bool {
        getuid() == 0 && Command.find("useradd") != nil && Command.find("groupadd") != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
    }

    init(prefix: String) throws {
        let suffix = UUID().uuidString.prefix(6).lowercased()
        name = "\(prefix)-\(suffix)"
        group = name
        let groupadd = try Command.run(Command.find("groupadd") ?? "/usr/sbin/groupadd", ["--system", group])
        guard groupadd.status == 0 else { throw Failure(description: "groupadd \(group): \(groupadd.stderr)") }
        let useradd = try Command.run(Command.find("useradd") ?? "/usr/sbin/useradd", [
            "--system", "--no-create-home", "--gid", group, "--shell", "/usr/sbin/nologin", name,
        ])
        guard useradd.status == 0 else {
            _ = try? Command.run(Command.find("groupdel") ?? "/usr/sbin/groupdel", [group])
            throw Failure(description: "useradd \(name): \(useradd.stderr)")
        }
        guard let passwd = getpwnam(name) else { throw Failure(description: "\(name) was created but cannot be looked up") }
        uid = passwd.pointee.pw_uid
        gid = passwd.pointee.pw_gid
    }

    deinit {
        _ = try? Command.run(Command.find("userdel") ?? "/usr/sbin/userdel", [name])
        _ = try? Command.run(Command.find("groupdel") ?? "/usr/sbin/groupdel", [group])
    }
}
