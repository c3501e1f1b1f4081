import CallwardenProtocol
import NIOCore

/// One input: a byte stream as a peer might send it. The first byte chooses how it is cut into
/// reads; the rest is the stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let lines = Framing.check(stream, chunk: Int(first % 17))
    for line in lines {
        guard case .line(let buffer) = line else { continue }
        let bytes = Array(buffer.readableBytesView)
        JSONRoundTrip.check(bytes)
        RequestRoundTrip.check(bytes)
    }
    return 0
}

/// Whatever property fails stops the run with a message libFuzzer saves beside the input.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
