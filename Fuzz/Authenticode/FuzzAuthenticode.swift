// libFuzzer entry for Authenticode PE images, through the production path (FuzzSupport/FuzzDriver.run):
// the input is the PE image, with the format forced and the vectors' TEST root trusted, so every
// input reaches the MS-DOS, COFF and optional headers, the section and certificate tables, each
// WIN_CERTIFICATE, OpenSSL's PKCS#7, SpcIndirectDataContent and TSTInfo decoding, nested
// signatures, the image digest and checksum pass; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(trusting: ["testvectors/authenticode/keys/root.pem"], format: .authenticode)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthenticode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
