// libFuzzer entry for the shared cpio reader (Sources/FirmwareFormats/Containers/Cpio): read
// the member table of any bytes; every member must lie inside the input, in order.
import FirmwareCrypto
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCpio(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    guard let entries = try? CpioArchive.entries(source) else { return 0 }
    var previous: Int64 = 0
    for entry in entries {
        precondition(entry.dataOffset >= previous && entry.dataRange.upperBound <= Int64(size), "fuzz: a cpio member outside the input or out of order")
        previous = entry.dataRange.upperBound
    }
    return 0
}
