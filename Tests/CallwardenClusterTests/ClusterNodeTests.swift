import CallwardenCluster
import CallwardenRecord
import Testing

@Suite("Node numbers and their ids")
struct ClusterNodeTests {
    @Test("Each node's ids begin at its number shifted by 40 and end below the next node's")
    func ranges() {
        #expect(ClusterNode.idFloor(of: 1) == 1 << 40)
        #expect(ClusterNode.idFloor(of: 7) == 7 << 40)
        let seventh: ClosedRange<Int64> = (7 << 40)...((8 << 40) - 1)
        #expect(ClusterNode.originIDs(of: 7) == seventh)
        #expect(ClusterNode.originIDs(of: 0) == nil)
        #expect(ClusterNode.originIDs(of: 1024) == nil)
    }

    @Test("The last node's ids are all valid entry ids")
    func lastNodeFits() throws {
        let last = try #require(ClusterNode.originIDs(of: ClusterNode.numbers.upperBound))
        #expect(RecordLimits.ids.contains(last.upperBound))
    }

    @Test("A node may ship its own ids and ids from before any node had a range, and no other node's")
    func accepts() {
        #expect(ClusterNode.accepts(origin: 3 << 40, from: 3))
        #expect(ClusterNode.accepts(origin: (4 << 40) - 1, from: 3))
        #expect(ClusterNode.accepts(origin: 12, from: 3))
        #expect(ClusterNode.accepts(origin: (1 << 40) - 1, from: 3))
        #expect(!ClusterNode.accepts(origin: 4 << 40, from: 3))
        #expect(!ClusterNode.accepts(origin: 1 << 40, from: 3))
        #expect(!ClusterNode.accepts(origin: 0, from: 3))
        #expect(!ClusterNode.accepts(origin: 12, from: 0))
    }
}
