// libFuzzer entry for signify detached signatures, through the production path
// (FuzzSupport/FuzzDriver.runDetached): the input is the --signature file over the vectors'
// firmware.bin, with the vectors' keys trusted and the format forced, so every input reaches
// the signify parser and verifier; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(keys: "signify", format: .signify, keyExtensions: [".pub", ".pub.pem"])
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignify(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.runDetached(data, size, session: session!, content: "testvectors/signify/firmware.bin")
    return 0
}
