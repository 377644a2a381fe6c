import CCurl
import FlowLearnCore
import Foundation

/// One HTTP exchange on a reusable libcurl easy handle. The handle keeps its connection cache between
/// transfers (`curl_easy_reset` leaves live connections alone), which is what makes keep-alive work.
final class CurlTransfer {
    struct Response {
        var status: Int?
        var body: [UInt8]
        var retryAfter: Double?
        var newConnections: Int
        var error: String?
    }

    private let handle: UnsafeMutableRawPointer

    static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    init() {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { fatalError("libcurl could not allocate a handle (out of memory)") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Accumulates what libcurl hands to the callbacks.
    final class Sink {
        var body: [UInt8] = []
        var retryAfter: Double?
        let limit = 4 << 20
    }

    func perform(_ request: OutboundRequest, settings: PosterSettings) -> Response {
        curl_easy_reset(handle)
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }

        var headers: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headers = curl_slist_append(headers, "\(header.name): \(header.value)")
        }
        headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        defer { curl_slist_free_all(headers) }

        flowlearn_curl_set_string(handle, CURLOPT_URL, request.url)
        flowlearn_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        flowlearn_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        flowlearn_curl_set_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        flowlearn_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        flowlearn_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeoutSeconds * 1000))
        flowlearn_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutSeconds * 1000))
        flowlearn_curl_set_string(handle, CURLOPT_USERAGENT, "FlowLearn/1.0 (+libcurl)")
        flowlearn_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers)
        if request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            flowlearn_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count)
            if request.body.isEmpty {
                flowlearn_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                request.body.withUnsafeBufferPointer { buffer in
                    // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                    _ = flowlearn_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress!))
                }
            }
        }
        if request.method != "POST" {
            flowlearn_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        let context = unmanaged.toOpaque()
        flowlearn_curl_set_write_fn(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data, sink.body.count < sink.limit {
                sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: min(length, sink.limit - sink.body.count)))
            }
            return length
        }
        flowlearn_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        flowlearn_curl_set_write_fn(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if let data {
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if line.lowercased().hasPrefix("retry-after:") {
                    let value = line.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                    sink.retryAfter = Double(value)
                } else if line.hasPrefix("HTTP/") {
                    sink.retryAfter = nil  // a new response (after a redirect or 100) starts over
                }
            }
            return length
        }
        flowlearn_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)

        let code = curl_easy_perform(handle)
        var connects = 0
        flowlearn_curl_get_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            return Response(status: nil, body: [], retryAfter: nil, newConnections: connects, error: message)
        }
        var status = 0
        flowlearn_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.body, retryAfter: sink.retryAfter, newConnections: connects, error: nil)
    }
}
