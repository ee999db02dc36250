// libFuzzer entry for SUIT envelopes, through the production path (FuzzSupport/FuzzDriver):
// the CBOR reader, the authentication wrapper, COSE_Sign1 with the vectors' TEST keys, the
// manifest and its command sequences, integrated payload digests, the policy, the JSON report.
// The format is forced so every input reaches the SUIT parser and verifier.
import FirmwareFormats
import FirmwareVerification
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

/// Builds the session (trust store, policy) once, before the first input, so its allocations
/// are not mistaken for a leak of the first input.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "suit", format: .suit)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSUIT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
