import Foundation

// flowlearn-fuzz: libFuzzer targets for everything that reads outside input (see Targets.swift).
//
//   flowlearn-fuzz TARGET [libFuzzer flags] [CORPUS...]   (built by scripts/fuzz.sh with -sanitize=fuzzer)
//   flowlearn-fuzz TARGET FILE|DIR...                      (a normal build: runs each input once)
//   flowlearn-fuzz TARGET --seeds DIR                      (the same, and fails unless one input was accepted)
//   flowlearn-fuzz --list
//
// The normal build keeps the targets compiling with the rest of the package and replays a crash
// input without the fuzzing toolchain.

let arguments = CommandLine.arguments
if arguments.count < 2 || arguments[1] == "--list" || arguments[1] == "-h" || arguments[1] == "--help" {
    print(FuzzTargets.all.keys.sorted().joined(separator: "\n"))
    exit(arguments.count < 2 ? 2 : 0)
}
let name = arguments[1]
guard let target = FuzzTargets.all[name] else {
    FileHandle.standardError.write(Data("unknown fuzz target '\(name)'; one of: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
FuzzTargets.selected = target

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// libFuzzer sees the arguments after the target's name.
var driverArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var driverCount = CInt(driverArguments.count - 1)
let status = driverArguments.withUnsafeMutableBufferPointer { buffer -> CInt in
    var base = buffer.baseAddress
    return LLVMFuzzerRunDriver(&driverCount, &base) { data, count in
        _ = FuzzTargets.selected(data.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    }
}
exit(status)
#else
var inputs = 0
var accepted = 0
let seeds = arguments.contains("--seeds")
for path in arguments.dropFirst(2) where path != "--seeds" {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("\(path): no such file\n".utf8))
        exit(2)
    }
    let files = isDirectory.boolValue
        ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        if target(data) { accepted += 1 }
        inputs += 1
    }
}
print("\(name): \(inputs) inputs ran without a crash, \(accepted) accepted")
if seeds && accepted == 0 {
    FileHandle.standardError.write(Data("\(name): no seed was accepted; the seeds no longer reach past the first check\n".utf8))
    exit(1)
}
#endif
