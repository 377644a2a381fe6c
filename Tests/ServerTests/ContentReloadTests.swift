import FlowLearnCore
import FlowLearnServer
import Foundation
import HummingbirdTesting
import Testing

@Suite("Content reload")
struct ContentReloadTests {
    static let nugget = """
        ---
        id: office-dogs
        title: Dogs in the office
        topic: office
        keywords: [dog, pet, animals]
        questions:
          - Can I bring my dog to the office?
          - Are pets allowed at work?
          - Is the office dog friendly?
          - Can my puppy come to work with me?
        owner: office@lumio.example
        reviewed: 2026-11-30
        ---

        Well-behaved dogs are welcome on Fridays in the Amsterdam office, on the 2nd floor only.
        """

    /// A private copy of the shipped Intents/ folder.
    func copyOfIntents() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-intents-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: TestServer.repositoryRoot + "/Intents", toPath: folder.path)
        return folder
    }

    @Test func reloadServesNewNuggetsWithoutARestart() async throws {
        let folder = try copyOfIntents()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let content = try ContentLibrary(folder: folder.path, settings: MatcherSettings(), logger: TestServer.logger)
        let question = "can I bring my dog to the office"
        try await server.application(content: content).test(.router) { client in
            let before = try ShownReply(
                try await client.slack(.commands, SlackRequests.slashCommand(text: question, responseURL: server.responseURL), server: server))
            #expect(before.text.contains(ReplyWording.unknownLead))

            try Self.nugget.write(to: folder.appendingPathComponent("office-dogs.md"), atomically: true, encoding: .utf8)
            #expect(await content.reloadOnItsOwnThread())
            let after = try ShownReply(
                try await client.slack(.commands, SlackRequests.slashCommand(text: question, responseURL: server.responseURL), server: server))
            #expect(after.json["text"] as? String == "Dogs in the office")
        }
    }

    @Test func brokenContentKeepsServingThePreviousPack() throws {
        let folder = try copyOfIntents()
        defer { try? FileManager.default.removeItem(at: folder) }
        let content = try ContentLibrary(folder: folder.path, settings: MatcherSettings(), logger: TestServer.logger)
        let count = content.assistant.matcher.nuggets.count
        try "---\nid: broken\n".write(to: folder.appendingPathComponent("broken.md"), atomically: true, encoding: .utf8)
        #expect(!content.reload())
        #expect(content.assistant.matcher.nuggets.count == count)
        #expect(content.assistant.matcher.answer("how do I connect to the VPN?") == "it-vpn-connect")
    }
}
