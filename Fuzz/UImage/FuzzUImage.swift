// libFuzzer entry for U-Boot legacy images (uImage), through the production path
// (FuzzSupport/FuzzDriver): parse, header and data CRC-32, the size table of multi-file images, trailing
// bytes, the missing signature, the policy, the JSON report (the MCUboot keys make the trust store). The format is
// forced so every input reaches the uImage parser and verifier.
import FirmwareFormats
import FirmwareVerification
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

/// Builds the session (trust store, policy) once, before the first input, so its allocations
/// are not mistaken for a leak of the first input.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "mcuboot", format: .uimage)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
