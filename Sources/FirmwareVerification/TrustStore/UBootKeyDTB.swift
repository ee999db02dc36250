import FirmwareCrypto
import FirmwareFormats
import Foundation

/// Public keys from a U-Boot control device tree (`mkimage -K u-boot.dtb` writes them under
/// `/signature`, U-Boot doc/usage/fit/signature.rst "Public key storage"): the keys a device
/// built with that DTB accepts for FIT images, so `--trust u-boot.dtb` trusts what the device
/// trusts.
///
/// - RSA nodes: `rsa,modulus`, `rsa,exponent`, `rsa,num-bits`, and the Montgomery constants
///   U-Boot verifies with (`rsa,r-squared`, `rsa,n0-inverse`), which must agree with the modulus;
/// - ECDSA nodes: `ecdsa,curve` (prime256v1, secp384r1, secp521r1), `ecdsa,x-point`,
///   `ecdsa,y-point`.
///
/// Each key is named by its `key-name-hint`, else by its node name without `key-`, which is
/// what a FIT signature's `key-name-hint` refers to.
enum UBootKeyDTB {
    /// True when the bytes start with the FDT magic.
    static func isDeviceTree(_ bytes: Data) -> Bool { bytes.prefix(4) == Data([0xd0, 0x0d, 0xfe, 0xed]) }

    /// The keys under `/signature`, and the capsule certificates of its `capsule-key` property
    /// (an EFI signature list, U-Boot doc/develop/uefi/uefi.rst "Enabling Capsule Authentication").
    ///
    /// - Throws: `FwgateError(.invalidTrust)` naming the file, the node and the problem.
    static func trust(_ bytes: Data, source: String) throws(FwgateError) -> (keys: [TrustedKey], certificates: [Certificate]) {
        var certificates: [Certificate] = []
        if let fdt = try? FDT.parse(MemoryByteSource(bytes)), let list = fdt.root.child("signature")?.property("capsule-key")?.value {
            do {
                for der in try EFISignatureList.certificates(list) { certificates.append(try Certificate(der: der)) }
            } catch let error as MalformedInput {
                throw FwgateError(.invalidTrust, "\(source): /signature/capsule-key: \(error.message)")
            } catch {
                throw FwgateError(.invalidTrust, "\(source): /signature/capsule-key: \(error)")
            }
            if fdt.root.child("signature")?.children.isEmpty ?? true { return ([], certificates) }
        }
        return (try keys(bytes, source: source), certificates)
    }

    /// The keys under `/signature`.
    ///
    /// - Throws: `FwgateError(.invalidTrust)` naming the file, the node and the problem.
    static func keys(_ bytes: Data, source: String) throws(FwgateError) -> [TrustedKey] {
        let fdt: FDT
        do {
            fdt = try FDT.parse(MemoryByteSource(bytes))
        } catch {
            throw FwgateError(.invalidTrust, "\(source): not a readable device tree: \(error.message)")
        }
        guard let signature = fdt.root.child("signature"), !signature.children.isEmpty else {
            throw FwgateError(
                .invalidTrust, "\(source): a device tree without keys under /signature (make one with mkimage -K FILE.dtb when signing)")
        }
        var keys: [TrustedKey] = []
        for node in signature.children {
            let name = node.property("key-name-hint")?.string ?? (node.name.hasPrefix("key-") ? String(node.name.dropFirst(4)) : node.name)
            let key: PublicKey
            do throws(FwgateError) {
                if node.property("rsa,modulus") != nil {
                    key = try rsaKey(node)
                } else if node.property("ecdsa,curve") != nil {
                    key = try ecKey(node)
                } else {
                    throw FwgateError(.invalidTrust, "neither rsa,modulus nor ecdsa,curve")
                }
            } catch {
                throw error.prefixed("\(source): U-Boot key \(node.path)")
            }
            keys.append(TrustedKey(name: name, key: key, source: "\(source):\(node.path)"))
        }
        return keys
    }

    static func rsaKey(_ node: FDT.Node) throws(FwgateError) -> PublicKey {
        guard let modulus = node.property("rsa,modulus")?.value, !modulus.isEmpty else {
            throw FwgateError(.invalidTrust, "rsa,modulus is empty")
        }
        let exponent = node.property("rsa,exponent")?.number ?? 65537
        guard exponent <= UInt64(UInt32.max), exponent > 1 else { throw FwgateError(.invalidTrust, "rsa,exponent \(exponent) is not supported") }
        if let bits = node.property("rsa,num-bits")?.number, bits != UInt64(modulus.count * 8) {
            throw FwgateError(.invalidTrust, "rsa,num-bits says \(bits) but rsa,modulus has \(modulus.count * 8) bits")
        }
        // U-Boot verifies with these constants, not with the modulus alone: a DTB whose
        // constants disagree would make the device and fwgate disagree.
        if let rSquared = node.property("rsa,r-squared")?.value, let n0 = node.property("rsa,n0-inverse")?.number {
            guard let expected = RSAMontgomery.constants(modulus: modulus, rSquaredBits: 2 * modulus.count * 8),
                expected.rinv == rSquared, UInt64(expected.mdash) == n0
            else {
                throw FwgateError(.invalidTrust, "rsa,r-squared or rsa,n0-inverse does not match rsa,modulus")
            }
        }
        do {
            return try PublicKey(rsaModulus: modulus, exponent: UInt32(exponent))
        } catch {
            throw FwgateError(.invalidTrust, "rsa,modulus: \(error.reason)")
        }
    }

    static func ecKey(_ node: FDT.Node) throws(FwgateError) -> PublicKey {
        let curves: [String: ECCurve] = ["prime256v1": .p256, "secp384r1": .p384, "secp521r1": .p521]
        guard let name = node.property("ecdsa,curve")?.string, let curve = curves[name] else {
            throw FwgateError(.invalidTrust, "ecdsa,curve '\(node.property("ecdsa,curve")?.string ?? "?")' is not prime256v1, secp384r1 or secp521r1")
        }
        guard let x = node.property("ecdsa,x-point")?.value, let y = node.property("ecdsa,y-point")?.value,
            x.count <= curve.fieldByteCount, y.count <= curve.fieldByteCount
        else {
            throw FwgateError(.invalidTrust, "ecdsa,x-point and ecdsa,y-point must each hold at most \(curve.fieldByteCount) bytes")
        }
        func padded(_ data: Data) -> Data { Data(repeating: 0, count: curve.fieldByteCount - data.count) + data }
        do {
            return try PublicKey(rawECPoint: Data([0x04]) + padded(x) + padded(y), curve: curve)
        } catch {
            throw FwgateError(.invalidTrust, "the point is not on \(name): \(error.reason)")
        }
    }
}
