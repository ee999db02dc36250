// libFuzzer entry for minisign detached signatures, through the production path
// (FuzzSupport/FuzzDriver.runDetached): the input is the --signature file over the vectors'
// firmware.bin, with the vectors' keys trusted and the format forced, so every input reaches
// the minisign parser and verifier; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "minisign", format: .minisign, keyExtensions: [".pub", ".pub.pem"])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMinisign(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.runDetached(data, size, session: session!, content: "testvectors/minisign/firmware.bin")
    return 0
}
