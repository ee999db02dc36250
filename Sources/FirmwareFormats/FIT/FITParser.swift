import FirmwareCrypto
import Foundation

/// Builds a ``FITDescription`` from the device tree: the FDT reader does the bounds; this adds
/// FIT's rules (U-Boot boot/image-fit.c): where each image's data lies, no unit addresses in
/// image or configuration node names, and the shape of hash and signature nodes.
enum FITParser {
    /// Properties of a configuration that are not image references (U-Boot's metadata).
    static let configurationMetadata: Set<String> = ["description", "compatible"]

    /// - Throws: the FDT reader's errors; `malformed.fit-unit-address` for a node name with `@`
    ///   under /images or /configurations; `malformed.fit-data-range` for data outside the file
    ///   or an image without data; `malformed.fdt-structure` when /images is missing.
    static func parse(_ source: any ByteSource) throws(MalformedInput) -> FITDescription {
        let fdt = try FDT.parse(source)
        guard let imagesNode = fdt.root.child("images") else {
            throw MalformedInput(.malformedFDTStructure, at: fdt.root.offset, "the device tree has no /images node: it is not a FIT image (a plain DTB?)")
        }
        try rejectUnitAddresses(imagesNode)
        let configurationsNode = fdt.root.child("configurations")
        if let configurationsNode { try rejectUnitAddresses(configurationsNode) }

        let externalBase = (Int64(fdt.header.totalSize) + 3) & ~3
        var images: [FITDescription.Image] = []
        var coveredEnd = fdt.end
        for node in imagesNode.children {
            let image = try self.image(node, source: source, externalBase: externalBase)
            // External data is laid out in 4-byte steps (mkimage `fit_extract_data` aligns each
            // image), so up to 3 padding bytes after the last one belong to the format.
            if image.dataSource != "embedded" { coveredEnd = max(coveredEnd, min(source.count, (image.dataRange.upperBound + 3) & ~3)) }
            images.append(image)
        }
        var configurations: [FITDescription.Configuration] = []
        let boot = configurationsNode?.property("default")?.string
        for node in configurationsNode?.children ?? [] {
            configurations.append(configuration(node, boots: boot == nil || boot == node.name))
        }
        return FITDescription(
            fileSize: source.count, treeSize: Int64(fdt.header.totalSize), description: fdt.root.property("description")?.string,
            timestamp: fdt.root.property("timestamp")?.number.map { Date(timeIntervalSince1970: TimeInterval($0)).formatted(.iso8601) },
            images: images, defaultConfiguration: configurationsNode?.property("default")?.string, configurations: configurations,
            trailingBytes: source.count > coveredEnd ? source.count - coveredEnd : nil, tree: fdt)
    }

    /// CVE-2021-27138: libfdt matches `kernel@1` when asked for `kernel`, so a second node with
    /// a unit address can stand in for the signed one. U-Boot refuses `@` in these names.
    static func rejectUnitAddresses(_ node: FDT.Node) throws(MalformedInput) {
        for child in node.children {
            if child.name.contains("@") {
                throw MalformedInput(
                    .malformedFITUnitAddress, at: child.offset,
                    "FIT node \(child.path) has a unit address ('@'): U-Boot refuses these names, since libfdt would let '\(child.name)' stand in for '\(child.name.prefix { $0 != "@" })' (CVE-2021-27138)")
            }
            try rejectUnitAddresses(child)
        }
    }

    /// An image node: its data (embedded, `data-offset` after the tree, or `data-position`),
    /// its metadata, `hash-*` and `signature-*` subnodes.
    static func image(_ node: FDT.Node, source: any ByteSource, externalBase: Int64) throws(MalformedInput) -> FITDescription.Image {
        let range: Range<Int64>
        let origin: String
        if let data = node.property("data") {
            range = data.valueRange
            origin = "embedded"
        } else if let position = node.property("data-position") ?? node.property("data-offset") {
            origin = position.name
            guard let size = node.property("data-size"), let length = size.number, let start = position.number else {
                throw MalformedInput(
                    .malformedFITDataRange, at: position.valueRange.lowerBound,
                    "FIT image \(node.path) has \(position.name) but no readable data-size (one or two 32-bit cells each)")
            }
            let base: UInt64 = position.name == "data-offset" ? UInt64(externalBase) : 0
            let (first, overflow) = base.addingReportingOverflow(start)
            let (last, overflow2) = first.addingReportingOverflow(length)
            guard !overflow, !overflow2, last <= UInt64(source.count) else {
                throw MalformedInput(
                    .malformedFITDataRange, at: position.valueRange.lowerBound,
                    "FIT image \(node.path): \(position.name) \(start) + data-size \(length) places its data past the end of the \(source.count)-byte file")
            }
            range = Int64(first)..<Int64(last)
        } else {
            throw MalformedInput(
                .malformedFITDataRange, at: node.offset, "FIT image \(node.path) has no data, data-offset or data-position property")
        }
        var hashes: [FITDescription.Hash] = []
        var signatures: [FITDescription.Signature] = []
        for child in node.children {
            if child.name.hasPrefix("hash") {
                hashes.append(
                    FITDescription.Hash(name: child.name, algorithm: child.property("algo")?.string ?? "", value: child.property("value")?.value?.hexString))
            } else if child.name.hasPrefix("signature") {
                signatures.append(signature(child))
            }
        }
        return FITDescription.Image(
            name: node.name, path: node.path, description: node.property("description")?.string, type: node.property("type")?.string,
            architecture: node.property("arch")?.string, os: node.property("os")?.string, compression: node.property("compression")?.string,
            loadAddress: node.property("load")?.number.map { "0x" + String($0, radix: 16) },
            entryPoint: node.property("entry")?.number.map { "0x" + String($0, radix: 16) }, dataRange: range, dataSource: origin,
            hashes: hashes, signatures: signatures)
    }

    static func signature(_ node: FDT.Node) -> FITDescription.Signature {
        FITDescription.Signature(
            name: node.name, path: node.path, algorithm: node.property("algo")?.string ?? "", padding: node.property("padding")?.string,
            keyNameHint: node.property("key-name-hint")?.string, value: node.property("value")?.value?.hexString,
            hashedNodes: node.property("hashed-nodes")?.strings, hashedStrings: node.property("hashed-strings")?.cells,
            signImages: node.property("sign-images")?.strings)
    }

    static func configuration(_ node: FDT.Node, boots: Bool) -> FITDescription.Configuration {
        var references: [FITDescription.Reference] = []
        for property in node.properties where !configurationMetadata.contains(property.name) {
            guard let names = property.strings, !names.isEmpty, !names.contains(where: \.isEmpty) else { continue }
            references.append(FITDescription.Reference(property: property.name, images: names))
        }
        return FITDescription.Configuration(
            name: node.name, path: node.path, boots: boots, description: node.property("description")?.string, references: references,
            signatures: node.children.filter { $0.name.hasPrefix("signature") }.map(signature))
    }
}
