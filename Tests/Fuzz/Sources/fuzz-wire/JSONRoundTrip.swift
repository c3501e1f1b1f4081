import CallwardenProtocol

/// The JSON parser and writer agree: what parses, written out, parses back to the same value, and
/// writing it again gives the same text.
enum JSONRoundTrip {
    static func check(_ line: [UInt8]) {
        guard let value = try? JSONParser.parse(line) else { return }
        var text = ""
        JSONWriter.append(value, to: &text)
        let reread: JSONValue
        do {
            reread = try JSONParser.parse(text)
        } catch {
            fatalError("the writer's text does not parse (\(error.message) at \(error.offset)): \(text)")
        }
        require(reread == value, "written and read back, the value changed: \(text)")
        var again = ""
        JSONWriter.append(reread, to: &again)
        require(again == text, "writing the value again gave other text")
    }
}
