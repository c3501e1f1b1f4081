import CallwardenProtocol

/// The request decoder: every answer it leads to is JSON; every request it accepts has its
/// numbers and text in range, and re-encoded decodes to the same request.
enum RequestRoundTrip {
    static func check(_ line: [UInt8]) {
        let decoded = RequestDecoder.decode(line)
        if let id = decoded.id {
            require((try? JSONParser.parse(id)) != nil, "the echoed id is not JSON: \(id)")
        }
        switch decoded.request {
        case .failure(let error):
            checkAnswer(id: decoded.id, message: error.message)
        case .success(let request):
            checkRanges(request)
            let encoded = RequestEncoder.line(request)
            let again = RequestDecoder.decode(Array(encoded.utf8)).request
            guard case .success(let reread) = again else { fatalError("re-encoded request refused: \(again) from \(encoded)") }
            require(reread == request, "re-encoded request changed: \(encoded)")
            require(RequestEncoder.line(reread) == encoded, "re-encoding is not stable")
        }
    }

    /// An error answer as the daemon writes it parses, and carries the message exactly.
    static func checkAnswer(id: String?, message: String) {
        var writer = JSONWriter()
        if let id { writer.field("id", raw: id) }
        writer.field("ok", false)
        writer.object("error") { error in
            error.field("code", "bad_request")
            error.field("message", message)
        }
        let line = writer.line()
        guard let value = try? JSONParser.parse(line.utf8.dropLast()) else { fatalError("error answer is not JSON: \(line)") }
        require(value["error"]?["message"]?.string == message, "the message did not survive: \(line)")
        if let id { require(value["id"] == (try? JSONParser.parse(id)), "the id did not survive: \(line)") }
    }

    static func checkRanges(_ request: Request) {
        if let at = request.eventTime { require(EventTime.window.contains(at), "at \(at) outside the window") }
        if case .export(_, let since, let after, let limit) = request {
            if let since { require(EventTime.window.contains(since), "since \(since) outside the window") }
            if let after { require(after >= 0, "negative after") }
            if let limit { require((1...1000).contains(limit), "limit \(limit) out of range") }
        }
        if case .exportShared(let after, let limit) = request {
            if let after { require(after >= 0, "negative after") }
            if let limit { require((1...1000).contains(limit), "limit \(limit) out of range") }
        }
        if case .history(_, _, let after, let limit) = request {
            if let after { require(after >= 0, "negative after") }
            if let limit { require((1...1000).contains(limit), "limit \(limit) out of range") }
        }
        if case .forgive(_, _, let incident, let grace, _) = request {
            if let incident { require(incident > 0, "incident \(incident) not positive") }
            if let grace { require(grace.isFinite && (0...RequestDecoder.longestPeriod).contains(grace), "grace \(grace) out of range") }
        }
        if case .exemptAdd(_, _, let until, let routes) = request {
            if let until { require(EventTime.window.contains(until), "until \(until) outside the window") }
            if let routes { require(!routes.isEmpty && Set(routes).count == routes.count, "routes \(routes) empty or repeated") }
        }
        if case .exemptRemove(let exemption, _) = request { require(exemption > 0, "exemption \(exemption) not positive") }
        if case .reviewList(let within?) = request {
            require(within.isFinite && (0...RequestDecoder.longestPeriod).contains(within), "within \(within) out of range")
        }
        if case .report(let since?) = request { require(EventTime.window.contains(since), "since \(since) outside the window") }
        if case .policyTest(let policy, _, let since) = request {
            require(!policy.isEmpty && policy.utf8.count <= RequestDecoder.maximumPolicyLength, "a candidate policy of \(policy.utf8.count) bytes was accepted")
            require(!policy.utf8.contains(0), "a NUL was accepted")
            if let since { require(EventTime.window.contains(since), "since \(since) outside the window") }
        }
        for text in RequestEncoder.texts(request) {
            require(!text.utf8.contains(0), "a NUL was accepted")
            require(text.utf8.count <= RequestDecoder.maximumFieldLength, "an over-long field was accepted")
        }
        if let at = request.eventTime {
            let text = EventTime.format(at)
            let reread = EventTime.parse(text)
            require(reread != nil && abs(reread! - at) < 0.001, "\(at) formatted as \(text) does not read back")
        }
    }
}
