import FlowLearnConfig
import FlowLearnCore
import FlowLearnDiscord
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnSlack
import FlowLearnTeams
import Foundation

/// One fuzz target: gets any bytes and must return (a crash or a hang is the finding); says whether
/// the input was accepted (decoded, loaded, answered), which the seed check uses to see that the
/// seeds reach past the first refusal.
typealias FuzzTarget = @Sendable (Data) -> Bool

/// Every decoder and parser that reads outside input, by the name `make fuzz` and the corpus folders
/// (`Tests/Fuzz/Corpus/NAME`) use. The decoders answer bad input with an error, and a
/// target only notes whether there was one.
enum FuzzTargets {
    nonisolated(unsafe) static var selected: FuzzTarget = { _ in false }

    static let all: [String: FuzzTarget] = [
        "slack-events": { data in (try? SlackEventDecoder.decode(Array(data), botUserID: "U0BOT", receivedAt: fixedNow)) != nil },
        "slack-commands": { data in (try? SlackSlashCommand.decode(Array(data))) != nil },
        "slack-interactions": { data in (try? SlackInteraction.decode(Array(data))) != nil },
        "mattermost-commands": { data in (try? Mattermost.decodeCommand(Array(data))) != nil },
        "mattermost-outgoing": { data in
            // The first byte says how the body is sent: JSON or a form, as Mattermost can do both.
            let contentType = data.first.map { $0 & 1 == 0 ? "application/json" : "application/x-www-form-urlencoded" }
            return (try? mattermost.decodeOutgoing(Array(data.dropFirst()), contentType: contentType)) != nil
        },
        "mattermost-actions": { data in
            // An action request is an answer vote or a quiz click, as the route tries them.
            if let vote = try? mattermost.decodeAnswerVote(Array(data)) { return vote != nil }
            return (try? mattermost.decodeClick(Array(data))) != nil
        },
        "teams-activities": { data in (try? TeamsOutgoingWebhook.decode(Array(data))) != nil },
        "discord-interactions": { data in (try? DiscordInteractions.decode(Array(data))) != nil },
        "matrix-transactions": { data in (try? matrix.decodeTransaction(Array(data))) != nil },
        "signatures": signatures,
        "conversation": { data in ConversationFuzzer.shared.run(data) },
        "nugget-files": { data in
            let report = ContentLinter.lint([SourceFile(path: "fuzz/nugget.md", text: text(data))])
            _ = report.diagnostics.map(\.description)
            return (try? ContentLinter.loadPack([SourceFile(path: "fuzz/nugget.md", text: text(data))])) != nil
        },
        "quiz-files": { data in
            // A quiz file is checked against the nuggets it names: give it real ones to refer to.
            let files = nuggetFiles + [SourceFile(path: "fuzz/quiz.yaml", text: text(data))]
            _ = ContentLinter.lint(files).diagnostics.map(\.description)
            guard let pack = try? ContentLinter.loadPack(files) else { return false }
            return !Quizmaster(questions: pack.questions, nuggets: pack.nuggets).questions.isEmpty
        },
        "configuration": { data in
            guard let configuration = try? ConfigurationLoader.parse(data, file: "fuzz.json") else { return false }
            _ = configuration.nudges.rules
            return true
        },
        "csv": { data in (try? LabelledCSV.parse(text(data))) != nil },
    ]

    static let fixedNow = Date(timeIntervalSince1970: 1_764_500_000)
    static let mattermost = Mattermost(commandTokens: ["learn-token"], outgoingToken: "outgoing-token-123", actionSecret: "action-secret")
    static let matrix = MatrixAppService(
        homeserverURL: "http://127.0.0.1:8008", serverName: "example.org", botLocalpart: "flowlearn", asToken: "as-token", hsToken: "hs-token")

    /// Text as the content loader and the CLI read it: UTF-8, with invalid bytes replaced.
    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// The starter pack's expenses nuggets, which the expenses quiz file refers to (read once).
    static let nuggetFiles: [SourceFile] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Intents").path
        // Every nugget of the starter pack, so each seed quiz file finds the nuggets it names.
        return ((try? ContentDirectory.read(folder)) ?? []).filter { $0.path.hasSuffix(".md") && !$0.path.hasSuffix("README.md") }
    }()

    /// The signature and token checks of every platform (and the request-id header), on headers and a body from the input:
    /// the first line is the timestamp (or Authorization header), the second the signature, the rest
    /// the body.
    static let signatures: FuzzTarget = { data in
        let parts = data.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        let first = parts.first.map { text(Data($0)) }
        let second = parts.count > 1 ? text(Data(parts[1])) : nil
        let body = parts.count > 2 ? Array(parts[2]) : []
        let slack = (try? SlackSignature(signingSecret: "8f742231b10e8888abcd99yyyzzz85a5").verify(
            timestamp: first, signature: second, body: body, now: fixedNow)) != nil
        let discord = (try? DiscordInteractions(publicKeyHex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").verify(
            signature: second, timestamp: first, body: body, now: fixedNow)) != nil
        let teams = (try? TeamsOutgoingWebhook(securityToken: "c2VjdXJpdHktdG9rZW4tZm9yLXRlc3Rz").verify(authorization: first, body: body)) != nil
        let mattermostToken = (try? mattermost.verifyCommand(authorization: first)) != nil
        _ = RequestID.accepted(first)  // a proxy's X-Request-ID
        _ = FormFields(body).problem
        return slack || discord || teams || mattermostToken || matrix.isFromHomeserver(authorization: first, accessToken: second)
    }
}
