// The receiver benchmark's reference and sink (bench/receiver/run.py): a bare Hummingbird POST route
// (`/bare`: reads the body, answers 200) to compare `flowlearn serve` against, and a chat-API sink
// (`/sink/...`: answers 200 `{"ok":true}` at once) that FlowLearn's replies go to.
//   .build/release/flowlearn-receiver-bench      prints "port N", serves until killed
import Foundation
import Hummingbird
import Logging

var quiet = Logger(label: "receiver-bench")
quiet.logLevel = .critical
let router = Router(context: BasicRequestContext.self)
router.post("/bare") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
}
router.post("/sink/**") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
}
let app = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("port \(channel.localAddress?.port ?? 0)\n".utf8))
    }, logger: quiet)
try await app.runService()
