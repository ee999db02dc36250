/// The parts of a device tree's structure block that a FIT configuration signature covers:
/// libfdt's `fdt_find_regions` as U-Boot's `fit_config_check_sig` calls it (lib/libfdt
/// fdt_region.c), restated here from its documented behaviour:
///
/// - a node whose path is in `covered` is covered whole: its begin and end tokens and its
///   properties (but the properties named in `excludedProperties`);
/// - a direct subnode of such a node is covered by its begin and end tokens only, and so on
///   one level down no further (the "want" levels 2, 1, 0);
/// - `FDT_END` is always covered;
/// - adjacent covered tokens form one region; a region closes at the start of the first
///   token left out, except at an end-node token, which closes it after that token (libfdt's
///   own rule, which signer and verifier share).
///
/// Offsets are absolute file offsets.
extension FDT {
    /// The regions to hash, in file order.
    ///
    /// - Parameters:
    ///   - covered: node paths covered whole (`/`, `/configurations/conf-1`, ...).
    ///   - excludedProperties: property names left out even inside covered nodes.
    public func regions(including covered: Set<String>, excludingProperties excludedProperties: Set<String>) -> [Range<Int64>] {
        var regions: [Range<Int64>] = []  // relative to the structure block
        var start: Int64?
        var want = 0
        var stack: [Int] = []
        var path: [String] = []
        for token in tokens {
            var include = false
            var stopAt = token.next
            switch token.kind {
            case .property(let name):
                include = want >= 2 && !excludedProperties.contains(name)
                stopAt = token.offset
            case .nop:
                include = want >= 2
                stopAt = token.offset
            case .beginNode(let name):
                if stack.isEmpty { path = [] } else { path.append(name) }
                let current = "/" + path.joined(separator: "/")
                stack.append(want)
                if want == 1 { stopAt = token.offset }
                if covered.contains(current) {
                    want = 2
                } else if want > 0 {
                    want -= 1
                } else {
                    stopAt = token.offset
                }
                include = want > 0
            case .endNode:
                include = want > 0
                want = stack.popLast() ?? 0
                if !path.isEmpty { path.removeLast() }
            case .end:
                include = true
            }
            if include, start == nil {
                if let last = regions.last, last.upperBound == token.offset {
                    start = last.lowerBound
                    regions.removeLast()
                } else {
                    start = token.offset
                }
            }
            if !include, let open = start {
                regions.append(open..<stopAt)
                start = nil
            }
        }
        if let open = start, let last = tokens.last {
            regions.append(open..<last.next)
        }
        return regions.filter { !$0.isEmpty }.map { (structStart + $0.lowerBound)..<(structStart + $0.upperBound) }
    }
}
