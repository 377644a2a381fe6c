import FlowLearnConfig
import FlowLearnServer
import Foundation
import Testing

@Suite("Configuration loading")
struct ConfigurationTests {
    func parse(_ json: String) throws(ConfigurationError) -> FlowLearnConfiguration {
        try ConfigurationLoader.parse(Data(json.utf8), file: "test.json")
    }

    @Test func exampleFileLoadsWithEveryKey() throws {
        let path = TestServer.repositoryRoot + "/config.example.json"
        let configuration = try ConfigurationLoader.load(path: path)
        #expect(configuration == FlowLearnConfiguration(), "the example holds the defaults")
        // Every setting the code has is in the reference, so the example and the docs show all of them.
        let defaults = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(FlowLearnConfiguration())) as? [String: Any])
        let known = ConfigurationReference.knownKeys
        for (section, keys) in defaults {
            let documented = try #require(known[section], "section \(section) is not in ConfigurationReference")
            for key in (keys as? [String: Any] ?? [:]).keys {
                #expect(documented.contains(key), "\(section).\(key) is not in ConfigurationReference")
            }
        }
    }

    @Test func theExampleAndTheDocsAreWhatTheReferenceGenerates() throws {
        let example = try String(contentsOfFile: TestServer.repositoryRoot + "/config.example.json", encoding: .utf8)
        #expect(example == ConfigurationReference.exampleJSON(), "regenerate: .build/debug/flowlearn config reference --example > config.example.json")
        let docs = try String(contentsOfFile: TestServer.repositoryRoot + "/docs/configuration.md", encoding: .utf8)
        #expect(docs == ConfigurationReference.markdown(), "regenerate: .build/debug/flowlearn config reference > docs/configuration.md")
    }

    @Test func holidaysReachTheNudgeRules() throws {
        let configuration = try parse(#"{"nudges": {"holidays": ["12-25", "2027-04-16"]}}"#)
        #expect(configuration.nudges.rules.holidays == ["12-25", "2027-04-16"])
        #expect(configuration.nudges.rules.isHoliday("2030-12-25"))
    }

    @Test func missingKeysTakeDefaults() throws {
        let configuration = try parse(#"{"server": {"port": 9000}}"#)
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.matcher.threshold == FlowLearnConfiguration().matcher.threshold)
    }

    @Test(arguments: [
        (#"{"slack": {"signingSecret": "x"}}"#, "test.json: key 'slack.signingSecret': unknown key"),
        (#"{"server": {"port": "eighty"}}"#, "test.json: key 'server.port': expected a whole number"),
        (#"{"server": {"port": 70000}}"#, "test.json: key 'server.port': must be between 0 and 65535"),
        (#"{"matcher": {"language": "klingon"}}"#, "test.json: key 'matcher.language': unknown stemming language"),
        (#"{"log": {"level": "loud"}}"#, "test.json: key 'log.level': must be one of"),
        (#"{"store": 3}"#, "test.json: key 'store': must be an object"),
        (#"{"server": {"port": 80"#, "test.json: is not valid JSON"),
        (#"{"nudges": {"holidays": ["12-25", "2026-02-30"]}}"#, "test.json: key 'nudges.holidays[1]': '2026-02-30' is not a date"),
    ])
    func badFilesNameTheKey(_ json: String, _ expected: String) {
        #expect {
            try parse(json)
        } throws: { error in
            "\(error)".hasPrefix(expected) && !"\(error)".contains("\n")
        }
    }
}
