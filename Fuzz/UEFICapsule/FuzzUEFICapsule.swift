// libFuzzer entry for UEFI FMP capsules, through the production path (FuzzSupport/FuzzDriver.run):
// the input is the capsule, with the format forced and the vectors' TEST signer trusted, so every
// input reaches the capsule, FMP and image headers, the image authentication, OpenSSL's PKCS#7
// decoding and CMS_verify over the joined payload and count; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(trusting: ["testvectors/uefi-capsule/keys/signer.pem"], format: .uefiCapsule)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUEFICapsule(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
