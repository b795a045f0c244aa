/// One learned byte-pair merge: the adjacent pair `(left, right)` becomes a new id.
public struct BPEMerge: Equatable, Hashable, Sendable {
    public let left: Int
    public let right: Int
    public init(_ left: Int, _ right: Int) { self.left = left; self.right = right }
}

/// Byte-pair encoding over integer symbols: a trainer, a greedy rank-based encoder and a decoder.
///
/// The base alphabet is `0..<baseSize`. Merge number `r` (its *rank*) turns the adjacent pair
/// `merges[r]` into the new id `baseSize + r`, so the vocabulary is `baseSize + merges.count` and a
/// merge only refers to ids that exist before it.
///
/// Training counts every adjacent pair in every sequence (overlapping occurrences included, so
/// `x x x` holds the pair `(x, x)` twice) and repeatedly merges the most frequent pair, left to
/// right without overlap, until the vocabulary reaches the target or no pair occurs at least twice.
/// **Ties** between equally frequent pairs go to the smallest `(left, right)`: the smallest left id,
/// then the smallest right id. Training is therefore deterministic: the same sequences always give
/// the same merges, whatever the hash seeds of the process. The trainer keeps the pair counts up to
/// date as it merges (the sequences are linked lists, each pair knows where it occurs) and picks the
/// next pair from a max-heap whose entries may be stale upper bounds, re-queued when popped.
/// On the FAST benchmark chunks it gives the same token ids as a Hugging Face `tokenizers` BPE
/// trained on the same coefficient strings (benchmarks/README.md); that is measured, not promised.
///
/// Encoding applies merges in rank order: the lowest-ranked adjacent pair anywhere in the sequence
/// is merged first, its occurrences left to right. This reproduces, on any sequence, exactly what
/// training did to the fitting sequences. Decoding expands each id to its base symbols.
public final class BPEModel: @unchecked Sendable {
    /// Size of the base alphabet.
    public let baseSize: Int
    /// Merges in the order they were learned (rank order).
    public let merges: [BPEMerge]
    /// Base symbols plus merges.
    public var vocabularySize: Int { baseSize + merges.count }

    /// For id `i`, its base symbols are `expansion[expansionStart[i]..<expansionStart[i + 1]]`.
    let expansionStart: [Int32]
    let expansion: [Int32]
    /// Pair -> rank, open addressing with linear probing (`keys` holds `left << 32 | right`).
    let tableKeys: [UInt64]
    let tableRanks: [Int32]
    let tableShift: UInt64

    /// Creates a model, checking that every merge refers to ids defined before it.
    public init(baseSize: Int, merges: [BPEMerge]) throws {
        guard baseSize >= 1 else { throw BPEError.invalidModel("the base alphabet needs at least one symbol, got \(baseSize)") }
        guard baseSize + merges.count <= Int(Int32.max) else { throw BPEError.invalidModel("vocabulary too large") }
        var seen = Set<BPEMerge>()
        for (r, m) in merges.enumerated() {
            let limit = baseSize + r
            guard (0..<limit).contains(m.left), (0..<limit).contains(m.right) else {
                throw BPEError.invalidModel("merge \(r) is [\(m.left), \(m.right)], but only ids 0..<\(limit) exist before it")
            }
            guard seen.insert(m).inserted else { throw BPEError.invalidModel("merge \(r) [\(m.left), \(m.right)] repeats an earlier merge") }
        }
        self.baseSize = baseSize; self.merges = merges
        // Expansions.
        var start: [Int32] = [0], flat: [Int32] = []
        for i in 0..<baseSize { flat.append(Int32(i)); start.append(Int32(i + 1)) }
        for m in merges {
            flat.append(contentsOf: flat[Int(start[m.left])..<Int(start[m.left + 1])])
            flat.append(contentsOf: flat[Int(start[m.right])..<Int(start[m.right + 1])])
            start.append(Int32(flat.count))
        }
        expansionStart = start; expansion = flat
        // Rank table at a load factor of at most 1/4.
        var bits: UInt64 = 4
        while (1 << bits) < 4 * max(1, merges.count) { bits += 1 }
        var keys = [UInt64](repeating: .max, count: 1 << bits), ranks = [Int32](repeating: -1, count: 1 << bits)
        let shift = 64 - bits, mask = (1 << Int(bits)) - 1
        for (r, m) in merges.enumerated() {
            let key = UInt64(m.left) << 32 | UInt64(m.right)
            var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != .max { slot = (slot + 1) & mask }
            keys[slot] = key; ranks[slot] = Int32(r)
        }
        tableKeys = keys; tableRanks = ranks; tableShift = shift
    }

    /// The rank of the merge of `(left, right)`, or -1 when the pair is never merged.
    @inline(__always)
    static func rank(_ left: Int32, _ right: Int32, _ keys: UnsafePointer<UInt64>, _ ranks: UnsafePointer<Int32>,
                     _ shift: UInt64, _ mask: Int) -> Int32 {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[slot]
            if k == key { return ranks[slot] }
            if k == .max { return -1 }
            slot = (slot + 1) & mask
        }
    }

    /// The base symbols of `id` (which must be in `0..<vocabularySize`).
    public func expand(_ id: Int) -> ArraySlice<Int32> {
        expansion[Int(expansionStart[id])..<Int(expansionStart[id + 1])]
    }

    /// Encodes base symbols (each in `0..<baseSize`) to ids.
    public func encode(_ symbols: [Int]) -> [Int] {
        precondition(symbols.allSatisfy { (0..<baseSize).contains($0) }, "symbols must be in 0..<\(baseSize)")
        let workspace = BPEWorkspace()
        var out: [Int] = []
        symbols.map { Int32($0) }.withUnsafeBufferPointer { workspace.encode($0, model: self, into: &out) }
        return out
    }

    /// Decodes ids to base symbols; throws on an id outside the vocabulary.
    public func decode(_ ids: [Int]) throws -> [Int] {
        var out: [Int] = []
        for (p, id) in ids.enumerated() {
            guard (0..<vocabularySize).contains(id) else { throw BPEError.unknownId(id, position: p, vocabularySize: vocabularySize) }
            out.append(contentsOf: expand(id).lazy.map { Int($0) })
        }
        return out
    }
}

/// Errors of the BPE model.
public enum BPEError: Error, CustomStringConvertible, Equatable {
    case invalidModel(String)
    case unknownId(Int, position: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .invalidModel(let s): return "invalid BPE model: \(s)"
        case let .unknownId(id, p, v): return "BPE id \(id) at position \(p) is outside the vocabulary 0..<\(v)"
        }
    }
}

/// Scratch memory for encoding one sequence at a time; reuse one per thread.
///
/// The sequence is a doubly linked list over its positions. Candidate merges wait in one bucket per
/// rank (a singly linked list of positions) with a bitmap of non-empty buckets. A merge of rank `r`
/// only creates pairs that contain the new id `baseSize + r`, whose merges all rank above `r`, so the
/// lowest non-empty bucket only moves up and each merge costs a constant amount of work.
final class BPEWorkspace {
    private var capacity = 0, rankCapacity = 0
    private var sym: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var next: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var prev: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var entryPos: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var entryNext: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var batch: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var head: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var bitmap: UnsafeMutablePointer<UInt64> = .allocate(capacity: 1)

    deinit {
        for p in [sym, next, prev, entryPos, entryNext, batch, head] { p.deallocate() }
        bitmap.deallocate()
    }

    private func reserve(length n: Int, ranks: Int) {
        if n > capacity {
            for p in [sym, next, prev, entryPos, entryNext, batch] { p.deallocate() }
            capacity = max(n, 2 * capacity)
            sym = .allocate(capacity: capacity); next = .allocate(capacity: capacity); prev = .allocate(capacity: capacity)
            batch = .allocate(capacity: capacity)
            // Each merge pushes at most two entries; there are fewer than n merges.
            entryPos = .allocate(capacity: 3 * capacity); entryNext = .allocate(capacity: 3 * capacity)
        }
        if ranks > rankCapacity {
            head.deallocate(); bitmap.deallocate()
            rankCapacity = ranks
            head = .allocate(capacity: ranks); head.initialize(repeating: -1, count: ranks)
            bitmap = .allocate(capacity: ranks / 64 + 1); bitmap.initialize(repeating: 0, count: ranks / 64 + 1)
        }
    }

    /// Appends the ids of `symbols` (base symbols, all valid) to `out`.
    func encode(_ symbols: UnsafeBufferPointer<Int32>, model: BPEModel, into out: inout [Int]) {
        let n = symbols.count
        guard n > 0 else { return }
        let m = model.merges.count
        guard m > 0, n > 1 else { for s in symbols { out.append(Int(s)) }; return }
        reserve(length: n, ranks: m)
        let base = Int32(model.baseSize)
        let sym = sym, next = next, prev = prev, entryPos = entryPos, entryNext = entryNext, head = head, bitmap = bitmap, batch = batch
        var entries: Int32 = 0
        model.tableKeys.withUnsafeBufferPointer { keysBuffer in
            model.tableRanks.withUnsafeBufferPointer { ranksBuffer in
                model.merges.withUnsafeBufferPointer { merges in
                    let keys = keysBuffer.baseAddress!, ranks = ranksBuffer.baseAddress!
                    let shift = model.tableShift, mask = keysBuffer.count - 1
                    @inline(__always) func push(_ r: Int32, _ position: Int32) {
                        entryPos[Int(entries)] = position; entryNext[Int(entries)] = head[Int(r)]
                        head[Int(r)] = entries; entries += 1
                        bitmap[Int(r) >> 6] |= 1 << UInt64(r & 63)
                    }
                    for i in 0..<n { sym[i] = symbols[i]; next[i] = Int32(i + 1); prev[i] = Int32(i - 1) }
                    next[n - 1] = -1
                    for i in 0..<(n - 1) {
                        let r = BPEModel.rank(sym[i], sym[i + 1], keys, ranks, shift, mask)
                        if r >= 0 { push(r, Int32(i)) }
                    }
                    var word = 0
                    let words = (m + 63) / 64
                    while word < words {
                        let bits = bitmap[word]
                        if bits == 0 { word += 1; continue }
                        let r = Int32(word * 64 + bits.trailingZeroBitCount)
                        bitmap[word] = bits & (bits - 1)
                        // Collect the bucket's positions in descending order. Entries are pushed mostly in
                        // ascending order and the list returns them reversed, so this insertion sort is
                        // close to linear. The positions are then visited in ascending order.
                        var count = 0, e = head[Int(r)]
                        head[Int(r)] = -1
                        while e >= 0 {
                            let p = entryPos[Int(e)]
                            var j = count
                            while j > 0, batch[j - 1] < p { batch[j] = batch[j - 1]; j -= 1 }
                            batch[j] = p; count += 1
                            e = entryNext[Int(e)]
                        }
                        let a = Int32(merges[Int(r)].left), b = Int32(merges[Int(r)].right), z = base + r
                        for k in stride(from: count - 1, through: 0, by: -1) {
                            let i = Int(batch[k])
                            guard sym[i] == a else { continue }
                            let j = Int(next[i])
                            guard j >= 0, sym[j] == b else { continue }
                            let q = next[j]
                            sym[i] = z; sym[j] = -1; next[i] = q
                            if q >= 0 { prev[Int(q)] = Int32(i) }
                            let p = prev[i]
                            if p >= 0 {
                                let r2 = BPEModel.rank(sym[Int(p)], z, keys, ranks, shift, mask)
                                if r2 >= 0 { push(r2, p) }
                            }
                            if q >= 0 {
                                let r2 = BPEModel.rank(z, sym[Int(q)], keys, ranks, shift, mask)
                                if r2 >= 0 { push(r2, Int32(i)) }
                            }
                        }
                    }
                }
            }
        }
        var i: Int32 = 0
        while i >= 0 { out.append(Int(sym[Int(i)])); i = next[Int(i)] }
    }
}

// MARK: - Training

extension BPEModel {
    /// Learns merges from `sequences` of base symbols (each in `0..<baseSize`) until the vocabulary
    /// reaches `vocabularySize` or no pair occurs at least twice. See the type's documentation for
    /// the counting and the tie-breaking rule.
    public static func train(_ sequences: [[Int]], baseSize: Int, vocabularySize: Int) throws -> BPEModel {
        var flat: [Int32] = [], lengths: [Int] = []
        for s in sequences {
            guard s.allSatisfy({ (0..<baseSize).contains($0) }) else {
                throw BPEError.invalidModel("training symbols must be in 0..<\(baseSize)")
            }
            flat.append(contentsOf: s.lazy.map { Int32($0) }); lengths.append(s.count)
        }
        return try BPEModel(baseSize: baseSize, merges: learnMerges(flat, lengths: lengths, baseSize: baseSize, target: vocabularySize))
    }

    /// The merge loop over sequences concatenated in `flat` (lengths in `lengths`).
    static func learnMerges(_ flat: [Int32], lengths: [Int], baseSize: Int, target: Int) -> [BPEMerge] {
        var sym = flat
        let n = sym.count
        var next = [Int32](repeating: -1, count: n), prev = [Int32](repeating: -1, count: n)
        var start = 0
        for len in lengths {
            for i in start..<start + len {
                if i + 1 < start + len { next[i] = Int32(i + 1) }
                if i > start { prev[i] = Int32(i - 1) }
            }
            start += len
        }
        @inline(__always) func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        var counts: [UInt64: Int] = [:]
        var occurrences: [UInt64: [Int32]] = [:]
        for i in 0..<n where next[i] >= 0 {
            let k = key(sym[i], sym[Int(next[i])])
            counts[k, default: 0] += 1
            occurrences[k, default: []].append(Int32(i))
        }
        var heap = PairHeap()
        for (k, c) in counts where c >= 2 { heap.push(PairHeap.Entry(count: c, key: k)) }
        var merges: [BPEMerge] = []
        var touched: [UInt64] = []
        while baseSize + merges.count < target, let top = heap.pop() {
            // Entries are upper bounds: a count that fell since the push is re-queued at its value.
            let current = counts[top.key] ?? 0
            guard current == top.count else {
                if current >= 2 { heap.push(PairHeap.Entry(count: current, key: top.key)) }
                continue
            }
            let merged = top.key
            let a = Int32(truncatingIfNeeded: merged >> 32), b = Int32(truncatingIfNeeded: merged & 0xFFFF_FFFF)
            let z = Int32(baseSize + merges.count)
            merges.append(BPEMerge(Int(a), Int(b)))
            counts[merged] = nil
            var positions = occurrences.removeValue(forKey: merged) ?? []
            positions.sort()
            func change(_ k: UInt64, by delta: Int, at position: Int32) {
                guard k != merged else { return }
                counts[k, default: 0] += delta
                if delta > 0 { occurrences[k, default: []].append(position); touched.append(k) }
            }
            for i32 in positions {
                let i = Int(i32)
                guard sym[i] == a else { continue }
                let j = Int(next[i])
                guard j >= 0, sym[j] == b else { continue }
                let p = prev[i], q = next[j]
                if p >= 0 { change(key(sym[Int(p)], a), by: -1, at: p); change(key(sym[Int(p)], z), by: 1, at: p) }
                if q >= 0 { change(key(b, sym[Int(q)]), by: -1, at: i32); change(key(z, sym[Int(q)]), by: 1, at: i32) }
                sym[i] = z; sym[j] = -1; next[i] = q
                if q >= 0 { prev[Int(q)] = i32 }
            }
            // Pairs that gained occurrences get a fresh entry (once per merge, at their new count).
            touched.sort()
            var last = UInt64.max
            for k in touched where k != last {
                last = k
                if let c = counts[k], c >= 2 { heap.push(PairHeap.Entry(count: c, key: k)) }
            }
            touched.removeAll(keepingCapacity: true)
        }
        return merges
    }
}

/// A max-heap of pair counts; equal counts pop the smallest `(left, right)` key first.
struct PairHeap {
    struct Entry { var count: Int; var key: UInt64 }
    private var items: [Entry] = []

    @inline(__always) private static func above(_ x: Entry, _ y: Entry) -> Bool {
        x.count > y.count || (x.count == y.count && x.key < y.key)
    }

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.above(items[i], items[parent]) else { break }
            items.swapAt(i, parent); i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < items.count, Self.above(items[l], items[best]) { best = l }
                if r < items.count, Self.above(items[r], items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best); i = best
            }
        }
        return top
    }
}
