// libFuzzer entry for RAUC bundles, through the production path (FuzzSupport/FuzzDriver.run):
// the input is the bundle, with the format forced and keys-example's EXAMPLE RSA root trusted,
// so every input reaches the trailer, OpenSSL's CMS decoding, the squashfs reader (a plain
// bundle's manifest.raucm), the manifest reader, the signature and (verity) the hash tree; the
// same bytes also go to the manifest reader alone. Seeded with the small vectors, plain bundles
// with two images, 4 KiB blocks and xz among them.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(trusting: ["keys-example/pki-rsa/root.pem"], format: .rauc)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRAUC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    _ = try? RAUCManifest.parse(Data(bytes: data, count: size))
    return 0
}
