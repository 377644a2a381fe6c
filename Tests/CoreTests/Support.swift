import FlowLearnCore
import Foundation

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A small, hand-made content set for matcher behaviour.
    static let nuggets: [Nugget] = [
        Nugget(
            id: "taxi", title: "Taxi expenses", topic: "expenses", keywords: ["taxi", "cab", "reimbursement"],
            questions: ["How do I get reimbursed for a taxi?", "Can I expense a cab to the airport?"],
            body: "Claim taxis in Spendly with the receipt."),
        Nugget(
            id: "vacation", title: "Requesting vacation", topic: "time-off", keywords: ["vacation", "holiday", "leave"],
            questions: ["How do I request vacation?", "How do I book a day off?"],
            body: "Request leave in PeopleHub."),
        Nugget(
            id: "phishing", title: "Reporting phishing", topic: "security", keywords: ["phishing", "suspicious email"],
            questions: ["How do I report a phishing email?", "I got a suspicious email"],
            body: "Use the Report phishing button."),
        Nugget(
            id: "vpn-connect", title: "Connecting to the VPN", topic: "it", keywords: ["vpn", "remote access"],
            questions: ["How do I connect to the VPN?"],
            body: "Open GlobalProtect and sign in."),
        Nugget(
            id: "vpn-slow", title: "Slow VPN", topic: "it", keywords: ["vpn", "slow"],
            questions: ["Why is the VPN slow?"],
            body: "Try another network."),
    ]
}

/// Runs CPU-heavy synchronous work (training a model, replaying thousands of histories) on a thread
/// of its own and awaits its result. Swift Testing runs tests on the cooperative pool, one thread per
/// core: a test that trains for seconds there holds a whole core's worth of everyone's async work, and
/// on a loaded 2-core CI machine the server tests' local HTTP sinks stopped answering for over 10 s.
/// Assertions stay in the test body, where Swift Testing attributes them to the test.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
