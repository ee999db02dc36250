// libFuzzer entry for Mender artifacts, through the production path (FuzzSupport/FuzzDriver.run):
// the input is the artifact, with the format forced, so every input reaches the outer tar, the
// version and manifest readers, the header's gzip and tar, the data archives' streaming hash and
// the signature check; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "mender", format: .mender, keyExtensions: [".pub.pem"])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMender(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
