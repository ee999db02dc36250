// libFuzzer entry for detached CMS / PKCS#7 signatures, through the production path
// (FuzzSupport/FuzzDriver.runDetached): the input is the --signature file over the vectors'
// firmware.bin, with keys-example's EXAMPLE RSA and ECDSA roots trusted and the format forced,
// so every input reaches the sniffing, OpenSSL's decoding (d2i_CMS_ContentInfo, PEM), the
// SignerInfo summaries, CMS_verify over the streamed content and the chain checks; then the
// policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(
        trusting: ["keys-example/pki-rsa/root.pem", "keys-example/pki-ecdsa/root.pem", "keys-example/pki-rsa/crl.pem"], format: .cms)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCMSSignature(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.runDetached(data, size, session: session!, content: "testvectors/cms/firmware.bin")
    return 0
}
