import FirmwareCrypto
import FirmwareFormats
@testable import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `--trust u-boot.dtb`: the keys mkimage -K wrote into a U-Boot control device tree.
@Suite struct UBootKeyDTBTests {
    @Test func keysMatchThePEMKeysTheyWereMadeFrom() throws {
        let store = try TrustStore.load([try TestVectors.path("fit/keys/u-boot-pubkey.dtb")])
        #expect(store.keys.map(\.name).sorted() == ["dev", "ecdev"])
        for name in ["dev", "ecdev"] {
            let pem = try PublicKey(contentsOf: try TestVectors.path("fit/keys/\(name).pub.pem"))
            #expect(store.keys.first { $0.name == name }?.fingerprint == pem.fingerprint, "\(name)")
        }
    }

    /// Montgomery constants that disagree with the modulus would make U-Boot and fwgate verify
    /// differently: the file is refused, naming the node.
    @Test func inconsistentMontgomeryConstantsAreRefused() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("fit/keys/u-boot-pubkey.dtb"))))
        let fdt = try FDT.parse(MemoryByteSource(Data(bytes)))
        let node = try #require(fdt.node(at: "/signature/key-dev"))
        let rSquared = try #require(node.property("rsa,r-squared"))
        bytes[Int(rSquared.valueRange.lowerBound) + 5] ^= 0x01
        do {
            _ = try UBootKeyDTB.keys(Data(bytes), source: "edited.dtb")
            Issue.record("an edited rsa,r-squared was accepted")
        } catch {
            #expect(error.reason.contains("edited.dtb: U-Boot key /signature/key-dev") && error.reason.contains("r-squared"))
        }
    }

    @Test func aDeviceTreeWithoutKeysIsRefused() throws {
        let path = try TestVectors.path("fit/payloads/board.dtb")
        do throws(FwgateError) {
            _ = try TrustStore.load([path])
            Issue.record("a DTB without /signature was accepted as trust")
        } catch {
            #expect(error.reason.contains("without keys under /signature"))
        }
    }
}
