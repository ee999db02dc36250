// libFuzzer entry for the shared libconfig reader (Sources/FirmwareFormats/Containers/LibConfig):
// parse any bytes as sw-description text; refusals are fine, traps and hangs are not.
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLibConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let value = try? LibConfig.parse(Data(bytes: data, count: size)) else { return 0 }
    precondition(value.members != nil, "fuzz: the top level is not a group")
    return 0
}
