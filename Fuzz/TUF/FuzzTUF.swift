// libFuzzer entry for TUF metadata, through the production path (FuzzSupport/FuzzDriver.run):
// the input is a repository's timestamp.json, with the format forced, so every input reaches
// the JSON reader, the metadata envelope and meta checks, then the verifier (which, given no
// folder, must fail closed), the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = VerificationSession(at: Date(timeIntervalSince1970: 1_780_272_000), options: VerificationSession.Options(format: .tuf))
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
