import FirmwareFormats
import Foundation
import Testing

/// The libconfig reader sw-description is read with.
@Suite struct LibConfigTests {
    func parse(_ text: String) throws -> LibConfigValue { try LibConfig.parse(Data(text.utf8)) }

    func refusal(_ text: String) -> String? {
        do {
            _ = try LibConfig.parse(Data(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsTheSyntaxSWUpdateDocuments() throws {
        let value = try parse(
            """
            # comment
            software =
            {
                version = "2.4" ".1";   // adjacent strings join
                /* block
                   comment */
                hardware-compatibility: [ "1.0", "1.2" ];
                images: ( { filename = "rootfs.ext4"; installed-directly = true; size = 0x10L; ratio = 1.5; offset = -4; } );
                board-a: { images: ( ); };
            };
            """)
        let software = try #require(value["software"])
        #expect(software["version"] == .string("2.4.1"))
        #expect(software["hardware-compatibility"]?.elements == [.string("1.0"), .string("1.2")])
        let image = try #require(software["images"]?.elements?.first)
        #expect(image["filename"] == .string("rootfs.ext4"))
        #expect(image["installed-directly"] == .bool(true))
        #expect(image["size"] == .integer(16))
        #expect(image["ratio"] == .float(1.5))
        #expect(image["offset"] == .integer(-4))
        #expect(software["board-a"]?["images"]?.elements == [])
    }

    @Test func refusesWhatIsAmbiguousOrUnsafe() {
        #expect(refusal("a = 1; a = 2;")?.contains("appears twice") == true)
        #expect(refusal("@include \"/etc/other.cfg\"")?.contains("@include") == true)
        #expect(refusal("a = [ { b = 1; } ];")?.contains("scalars only") == true)
        #expect(refusal("a = \"unterminated;")?.contains("not closed") == true)
        #expect(refusal("a = bare;")?.contains("needs quotes") == true)
        #expect(refusal("a = { b = 1;")?.contains("'}' is missing") == true)
        #expect(refusal("/* open") != nil)
        let deep = "a = " + String(repeating: "(", count: 100) + String(repeating: ")", count: 100) + ";"
        #expect(refusal(deep)?.contains("deeper") == true)
        // The fuzzer's find (before nesting inside lists and arrays counted as depth): a stack
        // overflow on 100,000 '['.
        let arrays = "software = { v = " + String(repeating: "[", count: 100_000) + " };"
        #expect(refusal(arrays)?.contains("deeper") == true)
    }

    @Test func errorsNameTheLine() {
        #expect(refusal("a = 1;\nb = 2;\nc = ;")?.hasPrefix("line 3") == true)
    }
}
