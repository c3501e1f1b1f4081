import CallwardenCore
import Testing

@Suite("Caller numbering")
struct NumberingPlanTests {
    static let uk = NumberingPlan(countryCode: "44", trunkPrefix: "0", internationalPrefix: "00", withheldWords: ["anonymous", "withheld", "restricted", "private", "unknown", "unavailable"])
    static let northAmerica = NumberingPlan(countryCode: "1", trunkPrefix: "1", internationalPrefix: "011", withheldWords: ["anonymous"])

    /// Forms of one UK mobile number as switches and carriers present it.
    @Test("One UK caller, however presented", arguments: [
        "+447700900123",
        "+44 7700 900123",
        "07700 900123",
        "07700900123",
        "(07700) 900-123",
        "00447700900123",
        "0044 7700 900 123",
        "7700900123",
        "tel:+44-7700-900123",
        "tel:07700900123;phone-context=+44",
        "sip:+447700900123@carrier.example;user=phone",
        "sips:07700900123@pbx.example:5061",
        "SIP:+447700900123@Carrier.Example",
        "<sip:+447700900123@carrier.example>",
        "\"Jo Bloggs\" <sip:07700900123@pbx.example;transport=udp>",
        "  +447700900123\t",
    ])
    func ukForms(presented: String) {
        #expect(Self.uk.normalise(presented) == .known("+447700900123"))
    }

    @Test("Withheld and unidentifiable callers are the anonymous class", arguments: [
        "", "   ", "anonymous", "Anonymous", "ANONYMOUS", "withheld", "restricted", "private", "unknown", "Unavailable",
        "sip:anonymous@anonymous.invalid", "sip:anonymous@pbx.example", "sips:Restricted@carrier.example",
        "sip:pbx.example", "tel:", "Private Number", "++44", "44abc", "0", "00",
    ])
    func anonymousClass(presented: String) {
        #expect(Self.uk.normalise(presented) == .anonymous)
        #expect(Self.uk.normalise(presented).key == nil)
    }

    @Test("SIP users that are not numbers are tracked by address")
    func sipAddresses() {
        #expect(Self.uk.normalise("sip:Alice@Example.COM;transport=tls") == .known("sip:alice@example.com"))
        #expect(Self.uk.normalise("sip:alice:secret@example.com:5060") == .known("sip:alice@example.com"))
    }

    @Test("North American plan: 1 + area code, 011 international")
    func northAmericanPlan() {
        #expect(Self.northAmerica.normalise("+1 (415) 555-0100") == .known("+14155550100"))
        #expect(Self.northAmerica.normalise("1 415 555 0100") == .known("+14155550100"))
        #expect(Self.northAmerica.normalise("011 44 7700 900123") == .known("+447700900123"))
        #expect(Self.northAmerica.normalise("415.555.0100") == .known("+14155550100"))
    }

    @Test("Different numbers stay different callers")
    func distinct() {
        #expect(Self.uk.normalise("07700 900123") != Self.uk.normalise("07700 900124"))
        #expect(Self.uk.normalise("+33 1 23 45 67 89") == .known("+33123456789"))
    }
}
