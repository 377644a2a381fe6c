import FlowLearnCore
import Testing

@Suite("Labelled CSV")
struct LabelledCSVTests {
    @Test func readsQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let rows = try LabelledCSV.parse("text,label\r\nplain question,a\n\"with, comma\",b\n\"say \"\"hi\"\"\",c\n\"two\nlines\",oos\n")
        #expect(rows == [
            .init(text: "plain question", label: "a"), .init(text: "with, comma", label: "b"),
            .init(text: "say \"hi\"", label: "c"), .init(text: "two\nlines", label: "oos"),
        ])
    }

    @Test func toleratesAByteOrderMarkAndSpacesAroundNames() throws {
        let rows = try LabelledCSV.parse("\u{FEFF}Text, label\nq one,a \nq two, a\n")
        #expect(rows == [.init(text: "q one", label: "a"), .init(text: "q two", label: "a")])
    }

    @Test func rejectsAMissingHeaderAndBadRows() {
        #expect(throws: LabelledCSV.Failure.missingHeader("question,intent")) { try LabelledCSV.parse("question,intent\nq,a\n") }
        #expect(throws: LabelledCSV.Failure.badRow(line: 3)) { try LabelledCSV.parse("text,label\nq,a\nno label\n") }
    }
}
