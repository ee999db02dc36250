// libFuzzer entry for SWUpdate packages, through the production path (FuzzSupport/FuzzDriver.run):
// the input is the .swu, with the format forced and the vectors' TEST root and RSA key trusted,
// so every input reaches the cpio reader, the sw-description parser (libconfig or JSON), the
// signature (CMS or RSA) and the artifact checks; then the policy and the JSON report.
import FirmwareFormats
import FirmwareVerification
import Foundation
import FuzzSupport

nonisolated(unsafe) var session: VerificationSession?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    session = FuzzDriver.session(trusting: FuzzSWUpdateTrust.files, format: .swupdate)
    return 0
}

enum FuzzSWUpdateTrust {
    /// The vectors' TEST trust: every root certificate and public key under testvectors/swupdate/keys.
    static var files: [String] {
        let folder = FuzzDriver.root.appendingPathComponent("testvectors/swupdate/keys")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix(".pub.pem") || $0 == "root.pem" }.map { "testvectors/swupdate/keys/\($0)" }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSWUpdate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzDriver.run(data, size, session: session!)
    return 0
}
