@testable import CallwardenServer
import Testing

@Suite("One policy test at a time")
struct OneAtATimeTests {
    @Test("A second start while one runs is refused; after it finishes the next may start")
    func gate() {
        let gate = OneAtATime()
        #expect(gate.tryStart())
        #expect(!gate.tryStart())
        gate.finished()
        #expect(gate.tryStart())
    }
}
