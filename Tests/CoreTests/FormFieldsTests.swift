import FlowLearnCore
import Testing

@Suite("Form decoding")
struct FormFieldsTests {
    @Test func decodesPercentEscapesAndPlus() {
        let form = FormFields(Array("text=how+do+I%3F&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&empty=&flag".utf8))
        #expect(form["text"] == "how do I?")
        #expect(form["response_url"] == "https://hooks.slack.com/x")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func dropsBrokenEscapesAndKeepsTheFirstValue() {
        let form = FormFields(Array("a=%zz&b=%4&c=1&c=2&d=%C3%A9".utf8))
        #expect(form["a"] == nil)
        #expect(form["b"] == nil)
        #expect(form["c"] == "1")
        #expect(form["d"] == "é")
    }
}
