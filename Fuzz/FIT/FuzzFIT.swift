// libFuzzer entry for U-Boot FIT images, through the production path
// (FuzzSupport/FuzzDriver): the FDT reader, FIT semantics, every hash node, every configuration signature
// over its derived regions with the vectors' keys, trailing bytes, the policy, the JSON report. The format is
// forced so every input reaches the FIT parser and verifier.
import FirmwareFormats
import FirmwareVerification
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

/// Builds the session (trust store, policy) once, before the first input, so its allocations
/// are not mistaken for a leak of the first input.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "fit", format: .fit)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFIT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
