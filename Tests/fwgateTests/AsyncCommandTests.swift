import ArgumentParser
import Testing

@testable import FwgateCLI

/// `FwgateMain` runs a command through the async path only when its type is listed in
/// `asyncCommands` (a list instead of a conformance lookup, issue 10). An async command missing
/// from the list would not run at all; this walks every command fwgate has and checks the list
/// against the types' conformances: a leaf runs async exactly when it is an
/// `AsyncParsableCommand` (group commands conform only so that their subcommands may be async).
@Suite struct AsyncCommandTests {
    static func leaves(of type: any ParsableCommand.Type) -> [any ParsableCommand.Type] {
        let children = type.configuration.subcommands
        return children.isEmpty ? [type] : children.flatMap { leaves(of: $0) }
    }

    @Test func theListNamesExactlyTheAsyncLeafCommands() {
        let leaves = Self.leaves(of: Fwgate.self)
        #expect(leaves.count > 20)
        for leaf in leaves {
            #expect(FwgateMain.isAsync(leaf) == (leaf is any AsyncParsableCommand.Type), "\(leaf)")
        }
        #expect(FwgateMain.asyncCommands.count == leaves.filter { FwgateMain.isAsync($0) }.count)
    }
}
