import CallwardenProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Maps a peer's credentials to its role, as the daemon's configuration says.
///
/// Root and the daemon's own user are always admins; processes in an admin group
/// (`--admin-group`, default `callwarden-admin`) are admins; processes in a supervisor group
/// (`--supervisor-group`, default `callwarden-supervisor`) are supervisors; processes in a
/// telephony group (`--telephony-group`, default `callwarden-telephony`) may send call events;
/// anyone else who can reach the socket may ask `status` only. A peer in several groups gets the
/// highest of their roles. Groups are the peer process's own (primary and
/// supplementary, as the kernel reports them), not the group database's. See docs/security.md.
public struct RoleMap: Sendable {
    public var adminUIDs: Set<UInt32>
    public var adminGroups: Set<UInt32>
    public var supervisorGroups: Set<UInt32>
    public var telephonyGroups: Set<UInt32>
    /// The role of a peer none of the above matches.
    public var otherRole: Role

    public init(adminUIDs: Set<UInt32>, adminGroups: Set<UInt32>, supervisorGroups: Set<UInt32> = [], telephonyGroups: Set<UInt32>, otherRole: Role = .none) {
        self.adminUIDs = adminUIDs
        self.adminGroups = adminGroups
        self.supervisorGroups = supervisorGroups
        self.telephonyGroups = telephonyGroups
        self.otherRole = otherRole
    }

    public static let defaultAdminGroup = "callwarden-admin"
    public static let defaultSupervisorGroup = "callwarden-supervisor"
    public static let defaultTelephonyGroup = "callwarden-telephony"

    /// The groups callwardend names when none is given on its command line: one of them missing
    /// (a development machine) is only worth an informational line.
    public static let defaultGroups: Set<String> = [defaultAdminGroup, defaultSupervisorGroup, defaultTelephonyGroup]

    /// Root, the daemon's own user, and members of the named groups (names or numeric gids).
    /// Group names are looked up here, once, when the daemon starts (never per connection, never
    /// on an event loop); `unknownGroups` lists the names that do not exist, so the daemon can say
    /// that nobody gets a role through them.
    public static func named(adminGroups: [String], supervisorGroups: [String] = [], telephonyGroups: [String]) -> (roles: RoleMap, unknownGroups: [String]) {
        var unknown: [String] = []
        func resolve(_ names: [String]) -> Set<UInt32> {
            Set(names.compactMap { name in
                if let gid = groupID(named: name) ?? UInt32(name) { return gid }
                unknown.append(name)
                return nil
            })
        }
        let roles = RoleMap(
            adminUIDs: [0, getuid()], adminGroups: resolve(adminGroups), supervisorGroups: resolve(supervisorGroups),
            telephonyGroups: resolve(telephonyGroups))
        return (roles, unknown)
    }

    /// The peer's role, from its uid and the groups its process had when it connected. Pure: no
    /// look-ups, so it is answered on the event loop.
    public func role(of peer: PeerCredentials?) -> Role {
        guard let peer else { return otherRole }
        if adminUIDs.contains(peer.uid) { return .admin }
        let groups = peer.allGroups
        if !groups.isDisjoint(with: adminGroups) { return .admin }
        if !groups.isDisjoint(with: supervisorGroups) { return .supervisor }
        if !groups.isDisjoint(with: telephonyGroups) { return .telephony }
        return otherRole
    }

    public static func groupID(named name: String) -> UInt32? {
        getgrnam(name).map { $0.pointee.gr_gid }
    }
}
