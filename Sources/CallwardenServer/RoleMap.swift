import CallwardenProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Maps a peer's credentials to its role, as the daemon's configuration says.
///
/// Root and the daemon's own user are always admins; members of the admin groups
/// (`--admin-group`, default `callwarden-admin`) are admins; members of the telephony groups
/// (`--telephony-group`, default `callwarden-telephony`) may send call events; anyone else who can
/// reach the socket may ask `status` only. See docs/security.md.
public struct RoleMap: Sendable {
    public var adminUIDs: Set<UInt32>
    public var adminGroups: Set<UInt32>
    public var telephonyGroups: Set<UInt32>
    /// The role of a peer none of the above matches.
    public var otherRole: Role

    public init(adminUIDs: Set<UInt32>, adminGroups: Set<UInt32>, telephonyGroups: Set<UInt32>, otherRole: Role = .none) {
        self.adminUIDs = adminUIDs
        self.adminGroups = adminGroups
        self.telephonyGroups = telephonyGroups
        self.otherRole = otherRole
    }

    public static let defaultAdminGroup = "callwarden-admin"
    public static let defaultTelephonyGroup = "callwarden-telephony"

    /// Root, the daemon's own user, and members of the named groups (names or numeric gids).
    /// Groups are looked up once, at start; `unknownGroups` lists the names that do not exist, so
    /// the daemon can say that nobody gets a role through them.
    public static func named(adminGroups: [String], telephonyGroups: [String]) -> (roles: RoleMap, unknownGroups: [String]) {
        var unknown: [String] = []
        func resolve(_ names: [String]) -> Set<UInt32> {
            Set(names.compactMap { name in
                if let gid = groupID(named: name) ?? UInt32(name) { return gid }
                unknown.append(name)
                return nil
            })
        }
        let roles = RoleMap(adminUIDs: [0, getuid()], adminGroups: resolve(adminGroups), telephonyGroups: resolve(telephonyGroups))
        return (roles, unknown)
    }

    /// The peer's role, from its uid and every group it belongs to (primary and supplementary).
    public func role(of peer: PeerCredentials?) -> Role {
        guard let peer else { return otherRole }
        if adminUIDs.contains(peer.uid) { return .admin }
        let groups = Self.groups(of: peer)
        if !groups.isDisjoint(with: adminGroups) { return .admin }
        if !groups.isDisjoint(with: telephonyGroups) { return .telephony }
        return otherRole
    }

    /// The peer's primary group and the supplementary groups its user has in the group database.
    static func groups(of peer: PeerCredentials) -> Set<UInt32> {
        var result: Set<UInt32> = [peer.gid]
        guard let passwd = getpwuid(peer.uid), let name = passwd.pointee.pw_name else { return result }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, peer.gid, &list, &count) == -1 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, peer.gid, &list, &count)
        }
        result.formUnion(list.prefix(Int(max(0, count))))
        return result
    }

    public static func groupID(named name: String) -> UInt32? {
        getgrnam(name).map { $0.pointee.gr_gid }
    }
}
