// swift-tools-version:6.2
// FlowLearn: learning nuggets in the flow of work, answered from team chat.
//
// The targets mirror the architecture (see docs/architecture.md):
//   FlowLearnCore      pure logic: content, keyword index, matcher, assistant (no HTTP, curl, SQL)
//   FlowLearnSlack     Slack adapter: verify, decode, encode (no I/O)
//   FlowLearnConsole   console adapter for `flowlearn chat`
//   FlowLearnXAPI      xAPI statements for a learning record store: build, identify (UUIDv5), encode (no I/O)
//   FlowLearnEncoder   the MiniLM sentence encoder; the only module that imports BLAS (CBLAS)
//   FlowLearnPoster    the only module that imports libcurl (CCurl)
//   FlowLearnStore     the SQLite store (GRDB): the only module that knows SQLite's SQL
//   FlowLearnPostgresStore the same store protocols on PostgreSQL (postgres-nio): the only module that knows its SQL
//   FlowLearnConfig    the configuration file: its definitions, defaults, loader and checks
//   FlowLearnWebConsole the learning team's web console under /console (pages, sign-in, CSV)
//   FlowLearnServer    composition root: configuration, Hummingbird routes, services
//   flowlearn          the command-line tool
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "FlowLearn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flowlearn", targets: ["flowlearn"]),
        .executable(name: "flowlearn-bench", targets: ["MatcherBench"]),
        .executable(name: "flowlearn-nudge-bench", targets: ["NudgeBench"]),
        .executable(name: "flowlearn-encoder-bench", targets: ["EncoderBench"]),
        .executable(name: "flowlearn-receiver-bench", targets: ["ReceiverBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CStemmer",
            path: "Sources/CStemmer",
            providers: [.apt(["libstemmer-dev"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "FlowLearnEncoder",
            dependencies: ["CBLAS", "FlowLearnCore"],
            path: "Sources/Encoder",
            // The encoder runs when content loads and for every question: optimised in debug too.
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "FlowLearnCore",
            dependencies: [
                "CStemmer",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Core",
            // The matcher trains when content loads; optimise it in debug builds too, so tests and
            // `swift run` do not wait on unoptimised training loops.
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "FlowLearnSlack",
            dependencies: [
                "FlowLearnCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/Slack",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnMatrix",
            dependencies: [
                "FlowLearnCore", "FlowLearnConsole",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/Matrix",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnTeams",
            dependencies: [
                "FlowLearnCore", "FlowLearnConsole",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/Teams",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnDiscord",
            dependencies: [
                "FlowLearnCore", "FlowLearnConsole",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/Discord",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnMattermost",
            dependencies: [
                "FlowLearnCore", "FlowLearnConsole",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/Mattermost",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnXAPI",
            dependencies: [
                "FlowLearnCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Adapters/XAPI",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnConsole",
            dependencies: ["FlowLearnCore"],
            path: "Sources/Adapters/Console",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnPoster",
            dependencies: [
                "CCurl",
                "FlowLearnCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Poster",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnStore",
            dependencies: [
                "FlowLearnCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Store",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnPostgresStore",
            dependencies: [
                "FlowLearnCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/PostgresStore",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnConfig",
            dependencies: ["FlowLearnCore", "FlowLearnPoster"],
            path: "Sources/Configuration",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnWebConsole",
            dependencies: [
                "FlowLearnCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/WebConsole",
            swiftSettings: strict
        ),
        .target(
            name: "FlowLearnServer",
            dependencies: [
                "FlowLearnWebConsole", "FlowLearnConfig", "FlowLearnCore", "FlowLearnSlack", "FlowLearnMatrix", "FlowLearnTeams", "FlowLearnDiscord", "FlowLearnMattermost", "FlowLearnConsole", "FlowLearnPoster", "FlowLearnStore", "FlowLearnPostgresStore", "FlowLearnEncoder", "FlowLearnXAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Server",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "flowlearn",
            dependencies: [
                "FlowLearnConfig", "FlowLearnCore", "FlowLearnConsole", "FlowLearnServer", "FlowLearnStore", "FlowLearnPostgresStore", "FlowLearnPoster",
                "FlowLearnEncoder", "FlowLearnWebConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/flowlearn",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MatcherBench",
            dependencies: ["FlowLearnCore", "FlowLearnEncoder"],
            path: "bench/MatcherBench"
        ),
        .executableTarget(
            name: "EncoderBench",
            dependencies: ["FlowLearnCore", "FlowLearnEncoder"],
            path: "bench/EncoderBench"
        ),
        .executableTarget(
            name: "ReceiverBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/ReceiverBench"
        ),
        .executableTarget(
            name: "NudgeBench",
            dependencies: [
                "FlowLearnConfig", "FlowLearnCore", "FlowLearnServer", "FlowLearnStore", "FlowLearnPoster",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/NudgeBench"
        ),
        // libFuzzer targets for every decoder and parser of outside input (scripts/fuzz.sh, `make fuzz`);
        // a normal build replays inputs, so the targets keep compiling with the rest.
        .executableTarget(
            name: "FlowLearnFuzz",
            dependencies: [
                "FlowLearnConfig", "FlowLearnCore", "FlowLearnSlack", "FlowLearnMatrix", "FlowLearnTeams", "FlowLearnDiscord", "FlowLearnMattermost",
                "FlowLearnConsole", "FlowLearnStore",
            ],
            path: "Tests/Fuzz",
            exclude: ["Corpus"]
        ),
        .testTarget(
            name: "FlowLearnCoreTests",
            dependencies: ["FlowLearnCore"],
            path: "Tests/CoreTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlowLearnEncoderTests",
            dependencies: ["FlowLearnEncoder", "FlowLearnCore"],
            path: "Tests/EncoderTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlowLearnSlackTests",
            dependencies: ["FlowLearnSlack", "FlowLearnCore"],
            path: "Tests/SlackTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlowLearnServerTests",
            dependencies: [
                "FlowLearnConfig", "FlowLearnServer", "FlowLearnWebConsole", "FlowLearnCore", "FlowLearnSlack", "FlowLearnMatrix", "FlowLearnTeams", "FlowLearnDiscord", "FlowLearnMattermost", "FlowLearnPoster", "FlowLearnStore", "FlowLearnPostgresStore", "FlowLearnXAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/ServerTests"
        ),
    ]
)
