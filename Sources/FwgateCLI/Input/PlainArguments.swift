/// A command line of the plainest shape, split without argument-parser: known long flags, known
/// long options each followed by its value, and positional arguments, in any order.
///
/// argument-parser builds every command's argument set by reflection (`Mirror` over each
/// property and option group) and resolves its generic property wrappers at run time; in a
/// small `fwgate verify` that was half of all instructions, mostly scans of the binary's
/// protocol-conformance records (callgrind; issue 10). ``VerifyCommand`` reads its command lines
/// through this first. Anything this does not recognise exactly gives `nil`, and the command
/// line then goes through argument-parser, which gives the usual help, values and errors:
/// - a token starting with `-` that is not one of the known names (`-h`, `--`, `--name=value`,
///   a misspelt option, a negative number), or `help`;
/// - an option without a value, or whose value starts with `-`;
/// - a flag given twice, or an option that is not repeatable given twice.
struct PlainArguments {
    /// The flags given, by long name (`--json`).
    private(set) var flags: [String] = []
    /// The values of each option given, by long name (`--trust`), in command-line order.
    private(set) var values: [String: [String]] = [:]
    /// The positional arguments, in order.
    private(set) var positionals: [String] = []

    init?(_ arguments: some Sequence<String>, flags knownFlags: [String], options knownOptions: [String], repeatable: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument == "help" { return nil }
            guard argument.hasPrefix("-") else {
                positionals.append(argument)
                continue
            }
            if knownFlags.contains(argument) {
                if flags.contains(argument) { return nil }
                flags.append(argument)
            } else if knownOptions.contains(argument) {
                guard let value = iterator.next(), !value.hasPrefix("-"), value != "help" else { return nil }
                if values[argument] != nil && !repeatable.contains(argument) { return nil }
                values[argument, default: []].append(value)
            } else {
                return nil
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of an option that is given at most once.
    func value(_ name: String) -> String? { values[name]?.first }
}
