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
        #expect(configuration.slack.apiBaseURL == "https://slack.com/api")
        #expect(configuration.slack.responseURLHosts == ["hooks.slack.com"])
        // Every known key appears in the example, so operators see all of them.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FlowLearnConfiguration())) as! [String: Any]
        for (section, keys) in defaults {
            let written = try #require(object[section] as? [String: Any], "section \(section) missing")
            for key in (keys as! [String: Any]).keys {
                #expect(written[key] != nil, "\(section).\(key) missing from config.example.json")
            }
        }
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
