// libFuzzer entry for the EFI signature list reader (Sources/FirmwareFormats/UEFICapsule/
// EFISignatureList.swift), which reads capsule trust (.esl files, U-Boot's capsule-key): any
// bytes either give certificates that lie inside the input or are refused.
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEFISignatureList(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let certificates = try? EFISignatureList.certificates(Data(bytes: data, count: size)) else { return 0 }
    precondition(certificates.reduce(0) { $0 + $1.count } <= size, "fuzz: certificates larger than the input")
    return 0
}
