import ArgumentParser
import Testing

@testable import FwgateCLI

/// `fwgate <subcommand> ...` is parsed by the subcommand's own type when that parses cleanly
/// (issue 10: argument-parser otherwise builds the whole command tree first). These pin that
/// the shortcut gives exactly what the root parse gives, and that everything else (help,
/// errors, group commands, built-in flags) still goes through the root.
@Suite struct LeafParseTests {
    @Test(arguments: [
        ["verify", "image.bin", "--trust", "vendor.pem", "--quiet"],
        ["verify", "a.bin", "b.bin", "--json", "--device", "pump-7", "--record", "--db", "site.sqlite"],
        ["verify", "image.bin", "--trust", "vendor.pem", "--at", "2026-06-01T00:00:00Z", "--format", "mcuboot"],
        ["digest", "image.bin", "--alg", "sha512", "--alg", "crc32"],
        ["inspect", "image.bin", "--format", "fit"],
        ["certs", "sweep", "--db", "site.sqlite", "--warn", "30d", "--format", "json", "--trust", "roots.pem"],
        ["inventory", "audit", "--db", "site.sqlite"],
        ["inventory", "list", "--db", "site.sqlite", "--json", "--verdict", "fail"],
        ["formats"],
        ["verify", "--", "--looks-like-an-option.bin"],
    ])
    func leafParsesLikeTheRoot(arguments: [String]) throws {
        let leaf = try #require(FwgateMain.parseLeafDirectly(arguments), "\(arguments) did not take the shortcut")
        let root = try Fwgate.parseAsRoot(arguments)
        #expect(type(of: leaf) == type(of: root))
        #expect(String(describing: leaf) == String(describing: root))
    }

    @Test(arguments: [
        [], ["--version"], ["--help"], ["help", "verify"], ["verify", "--help"], ["verify", "-h", "image.bin"],
        ["certs"], ["inventory"], ["no-such-command"], ["verify", "image.bin", "--no-such-option"],
        ["verify", "image.bin", "--at", "yesterday"], ["--generate-completion-script", "bash"],
        ["verify", "--experimental-dump-help"],
    ])
    func everythingElseGoesThroughTheRoot(arguments: [String]) {
        #expect(FwgateMain.parseLeafDirectly(arguments) == nil, "\(arguments) took the shortcut")
    }
}
