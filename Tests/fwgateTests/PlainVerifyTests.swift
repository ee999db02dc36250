import ArgumentParser
import Foundation
import FwgateTestSupport
import Testing

@testable import FwgateCLI

/// `fwgate verify` command lines of the plainest shape are read without argument-parser
/// (`VerifyCommand(plain:)`, issue 10). These pin that such a reading gives exactly what
/// argument-parser gives, that every other line goes to argument-parser, and that the reader
/// knows every option argument-parser knows for the command.
@Suite struct PlainVerifyTests {
    @Test(arguments: [
        ["image.bin"],
        ["image.bin", "--trust", "vendor.pem", "--quiet"],
        ["--trust", "a.pem", "image.bin", "--trust", "keys/", "--trust", "b.pem"],
        ["a.bin", "b.bin", "--json", "--device", "pump-7", "--record", "--db", "site.sqlite", "--site", "ward-3"],
        ["image.bin", "--at", "2026-06-01T00:00:00Z", "--format", "mcuboot", "--policy", "policy.yaml", "--no-color"],
        ["update.bin", "--signature", "update.sig", "--signature-scheme", "ecdsa-sha256", "--trust", "k.pem"],
        ["manifest.json", "--payload", "payload.bin", "--json"],
        ["--at", "2026-06-01", "x.bin"],
    ])
    func readsLikeArgumentParser(arguments: [String]) throws {
        let plain = try #require(VerifyCommand(plain: arguments), "\(arguments) was not read")
        let parsed = try #require(try Fwgate.parseAsRoot(["verify"] + arguments) as? VerifyCommand)
        #expect(String(describing: plain) == String(describing: parsed))
        // The whole dispatch takes it too.
        let dispatched = try #require(FwgateMain.parseLeafDirectly(["verify"] + arguments) as? VerifyCommand)
        #expect(String(describing: dispatched) == String(describing: parsed))
    }

    @Test(arguments: [
        [],  // no file: argument-parser says which argument is missing
        ["--help"], ["-h", "image.bin"], ["help"], ["image.bin", "--version"],
        ["--", "--odd-name.bin"], ["image.bin", "--trust=vendor.pem"], ["image.bin", "-q"],
        ["image.bin", "--no-such-option"], ["image.bin", "--trust"], ["image.bin", "--trust", "--json"],
        ["image.bin", "--json", "--json"], ["image.bin", "--db", "a.sqlite", "--db", "b.sqlite"],
        ["image.bin", "--at", "yesterday"], ["image.bin", "--format", "no-such-format"],
        ["image.bin", "--signature-scheme", "md5"], ["image.bin", "--signature-scheme", "ecdsa-sha256"],
        ["a.bin", "b.bin", "--signature", "a.sig"], ["image.bin", "--site", ""],
        ["image.bin", "--experimental-dump-help"], ["--generate-completion-script", "bash"],
        ["image.bin", "--device", "-7"],
    ])
    func everythingElseGoesToArgumentParser(arguments: [String]) {
        #expect(VerifyCommand(plain: arguments) == nil, "\(arguments) was read")
    }

    /// Random command lines from the options, flags and awkward values: whenever the plain
    /// reader takes one, argument-parser takes it too and reads the same command. (When the
    /// reader declines, argument-parser reads the line anyway, so that case needs no check.)
    @Test func randomLinesReadLikeArgumentParser() throws {
        let values = [
            "a.bin", "k.pem", "keys/", "2026-06-01", "2026-06-01T00:00:00Z", "yesterday", "mcuboot", "fit", "nope", "ecdsa-sha256",
            "ed25519", "md5", "pump-7", "ward-3", "", "x=y", "two words", "help",
        ]
        let awkward = ["-", "--", "-v", "help", "--trust=k.pem", "--Json", "-json", "--no-such-option", "-7"]
        var generator = SeededGenerator(seed: 0x5EED_0010)
        var read = 0
        for _ in 0..<1_500 {
            // A line of a few parts: an option and a value, a flag, a file, or an awkward word.
            var line: [String] = []
            for _ in 0..<Int.random(in: 1...5, using: &generator) {
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<4:
                    line += [VerifyCommand.plainOptions.randomElement(using: &generator)!, values.randomElement(using: &generator)!]
                case 4..<6: line.append(VerifyCommand.plainFlags.randomElement(using: &generator)!)
                case 6..<9: line.append(["a.bin", "b.bin", "c d.bin"].randomElement(using: &generator)!)
                default: line.append(awkward.randomElement(using: &generator)!)
                }
            }
            guard let plain = VerifyCommand(plain: line) else { continue }
            read += 1
            let parsed = try #require(
                try? Fwgate.parseAsRoot(["verify"] + line) as? VerifyCommand, "\(line): read plainly but argument-parser refuses it")
            #expect(String(describing: plain) == String(describing: parsed), "\(line)")
        }
        // The parts are chosen so that the plain reader takes a fair share of the lines.
        #expect(read > 200, "only \(read) of 1,500 lines were read plainly")
    }

    /// Every option and flag argument-parser knows for `verify` (from its own description of
    /// the command) is one the plain reader knows, with the same kind and repetition, and
    /// the other way round; only the built-in help flag is argument-parser's alone.
    @Test func knowsEveryOptionArgumentParserKnows() throws {
        let dump = try #require(
            try JSONSerialization.jsonObject(with: Data(VerifyCommand._dumpHelp().utf8)) as? [String: Any])
        let command = try #require(dump["command"] as? [String: Any])
        let arguments = try #require(command["arguments"] as? [[String: Any]])
        var flags: [String] = [], options: [String] = [], repeatable: [String] = [], positionals = 0
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                name["kind"] as? String == "long" ? "--" + (name["name"] as? String ?? "") : nil
            }
            if names.contains("--help") { continue }
            let kind = argument["kind"] as? String
            let repeating = argument["isRepeating"] as? Bool ?? false
            switch kind {
            case "positional": positionals += 1
            case "flag":
                #expect(names.count == 1 && !repeating, "\(names)")
                flags += names
            case "option":
                #expect(names.count == 1, "\(names)")
                options += names
                if repeating { repeatable += names }
            default: Issue.record("unexpected argument kind \(kind ?? "nil") for \(names)")
            }
        }
        #expect(positionals == 1)
        #expect(Set(flags) == Set(VerifyCommand.plainFlags))
        #expect(Set(options) == Set(VerifyCommand.plainOptions))
        #expect(Set(repeatable) == Set(VerifyCommand.plainRepeatable))
        #expect(VerifyCommand.plainFlags.count == Set(VerifyCommand.plainFlags).count)
        #expect(VerifyCommand.plainOptions.count == Set(VerifyCommand.plainOptions).count)
    }
}
