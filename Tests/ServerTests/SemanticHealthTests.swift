import FlowLearnCore
import FlowLearnServer
import Foundation
import HummingbirdTesting
import Testing

@Suite("Semantic matching on and off in the server")
struct SemanticHealthTests {
    /// Loads the content as `serve` does (the encoder from `content.encoder`), on a thread of its own
    /// (training must not hold Swift's cooperative pool), then asks /healthz.
    static func health(_ server: TestServer) async throws -> [String: String] {
        let setup = ApplicationSetup(configuration: server.configuration, baseDirectory: TestServer.repositoryRoot, logger: TestServer.logger)
        let content = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try FlowLearnApplication.loadContent(setup) }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try await server.application(content: content).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                return (try? JSONDecoder().decode([String: String].self, from: Data(String(buffer: response.body).utf8))) ?? [:]
            }
        }
    }

    @Test("without the model files the server starts on the lexical engines and /healthz says why")
    func offWithoutModelFiles() async throws {
        var server = try TestServer(sink: try await LocalHTTPSink())
        server.configuration.content.encoder = "/nonexistent/flowlearn-model"
        let health = try await Self.health(server)
        #expect(health["status"] == "ok")
        #expect(health["engine"] != "semantic")
        #expect(health["semantic"]?.hasPrefix("off: no sentence-encoder model in /nonexistent/flowlearn-model") == true)
    }

    @Test("with the model files (scripts/install-model.sh) the starter pack is served by the semantic engine")
    func onWithModelFiles() async throws {
        let server = try TestServer(sink: try await LocalHTTPSink())
        let health = try await Self.health(server)
        #expect(health["semantic"] == "on")
        #expect(health["engine"] == "semantic")
    }
}
