// libFuzzer entry for the shared FDT reader (Sources/FirmwareFormats/Containers/FDT): parse any
// bytes as a device tree, then cut signature regions for every node and check what must hold
// for any tree: regions lie inside the structure block, ascend and never overlap.
import FirmwareCrypto
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFDT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    guard let fdt = try? FDT.parse(source) else { return 0 }
    var paths: [String] = []
    func collect(_ node: FDT.Node) {
        paths.append(node.path)
        node.children.forEach(collect)
    }
    collect(fdt.root)
    for include in [Set(paths), Set(paths.prefix(2)), ["/"]] {
        let regions = fdt.regions(including: include, excludingProperties: ["data"])
        var previous = fdt.structStart
        for region in regions {
            precondition(region.lowerBound >= previous, "fuzz: regions overlap or go backwards")
            precondition(region.upperBound <= fdt.structStart + Int64(fdt.header.structSize), "fuzz: a region leaves the structure block")
            previous = region.upperBound
        }
    }
    return 0
}
