import FirmwareVerification

/// Re-walks a posture chain entry by entry, in id order: the audit rules both backends share
/// (SQLite's ``Inventory/verifyAuditChain(expecting:)`` and ``PostgresInventory``'s). Feed every
/// entry to ``next(_:)`` until it returns a broken result, then call ``finish(sequence:expecting:)``
/// with the backend's own record of the last id handed out (SQLite's AUTOINCREMENT sequence,
/// PostgreSQL's head row), so deleting the newest entries is caught.
package struct ChainWalk {
    private(set) var previous = PostureEntry.genesisHash
    private(set) var count = 0
    private(set) var lastID: Int64 = 0
    private var sawIDHashed = false
    private var expectedHeadFoundAt: Int?
    let expectation: Inventory.AuditExpectation

    package init(expecting expectation: Inventory.AuditExpectation) {
        self.expectation = expectation
    }

    private func broken(_ id: Int64?, _ problem: String) -> Inventory.AuditResult {
        Inventory.AuditResult(entries: count, intact: false, firstBrokenEntryID: id, problem: problem, headHash: previous)
    }

    /// Checks one entry; a result when the chain is broken there.
    /// - each stored hash must equal the hash of its canonical form (hash versions 2 and 3
    ///   include the id, so a renumbered entry fails), and once a version-2 or -3 entry is
    ///   seen no later one may be version 1 (no downgrade to a form without the id);
    /// - each `previousHash` must equal the preceding entry's hash;
    /// - ids must run 1, 2, 3, ... without gaps.
    package mutating func next(_ entry: PostureEntry) -> Inventory.AuditResult? {
        count += 1
        let id = entry.id ?? -1
        if entry.previousHash != previous {
            let reason =
                id != lastID + 1
                ? "entry \(id) does not follow entry \(lastID): entries between them were deleted, or the chain was reordered"
                : "entry \(id) does not link to entry \(lastID) (previousHash differs): an entry was deleted, inserted or reordered"
            return broken(id, reason)
        }
        let version = entry.hashVersion ?? 1
        if version >= 2 { sawIDHashed = true }
        if sawIDHashed && version < 2 {
            return broken(id, "entry \(id) was altered: it claims hash version \(version) after version-2 entries")
        }
        let computed: String
        do {
            computed = try entry.computedHash()
        } catch {
            return broken(id, "entry \(id) was altered: \(error)")
        }
        if computed != entry.entryHash, !entry.matchesHashRecordedBeforeWholeSeconds() {
            return broken(id, "entry \(id) was altered or renumbered: its content no longer matches its hash")
        }
        if id != lastID + 1 {
            return broken(id, "entry \(id) follows entry \(lastID): ids were renumbered, or entries between them were deleted")
        }
        previous = entry.entryHash
        lastID = id
        if let expected = expectation.headHash, expected.lowercased() == entry.entryHash, expectedHeadFoundAt == nil {
            expectedHeadFoundAt = count
        }
        return nil
    }

    /// The result once every entry was walked: `sequence` is the last id the backend handed
    /// out (the last entry's id must equal it), then the expectations.
    package func finish(sequence: Int64) -> Inventory.AuditResult {
        if sequence > lastID {
            let missing = sequence == lastID + 1 ? "entry \(sequence) was" : "entries \(lastID + 1)-\(sequence) were"
            return broken(lastID + 1, "the newest \(missing) deleted: the table's sequence is at \(sequence), the last entry is \(lastID)")
        }
        if sequence < lastID {
            return broken(lastID, "entry \(lastID) is past the table's sequence (\(sequence)): ids were renumbered")
        }
        if let expectedCount = expectation.count, count < expectedCount {
            return broken(
                Int64(count + 1),
                "the chain has \(count) entries, fewer than the \(expectedCount) expected: it was cut short")
        }
        if let expectedHead = expectation.headHash {
            guard let position = expectedHeadFoundAt else {
                return broken(
                    nil, "the expected head \(expectedHead) is not in the chain: it was cut short or rewritten after that point")
            }
            if let expectedCount = expectation.count, position != expectedCount {
                return broken(
                    Int64(position),
                    "the expected head \(expectedHead) is entry \(position), not entry \(expectedCount): the chain was rewritten")
            }
        }
        return Inventory.AuditResult(entries: count, intact: true, firstBrokenEntryID: nil, problem: nil, headHash: previous)
    }
}
