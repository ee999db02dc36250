// libFuzzer entry for the MCUboot parser: any bytes must parse or throw MalformedInput, never
// crash, hang or read out of bounds (AddressSanitizer watches).
import FirmwareCrypto
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMCUboot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    if let description = try? MCUbootParser.parse(source) {
        // Whatever parses must describe ranges inside the input.
        precondition(description.hashedRange.upperBound <= Int64(size))
        for tlv in description.tlvs { precondition(tlv.valueRange.upperBound <= Int64(size)) }
        _ = MCUbootFormat.digestRequests(for: description)
    }
    return 0
}
