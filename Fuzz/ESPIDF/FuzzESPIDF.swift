// libFuzzer entry for ESP-IDF application images, through the production path
// (FuzzSupport/FuzzDriver): parse, checksum, appended SHA-256, segment placement, every Secure
// Boot v2 block with the vectors' trusted keys, the policy, the JSON report. The format is
// forced so every input reaches the ESP-IDF parser and verifier.
import FirmwareFormats
import FirmwareVerification
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

/// Builds the session (trust store, policy) once, before the first input, so its allocations
/// are not mistaken for a leak of the first input.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "esp-idf", format: .espIDF)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzESPIDF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
