import NumericCore

/// A seeded train/test split, stratified by class so both parts keep the class balance.
public struct DataSplit: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]

    /// Each class contributes round(testFraction × its size) rows to the test part. Indices are
    /// returned in ascending order, so the split is a set, not an ordering.
    public static func stratified(labels: [Int], testFraction: Double, seed: UInt64) -> DataSplit {
        precondition(testFraction >= 0 && testFraction < 1)
        var random = RandomStream(seed: seed, stream: "split")
        var train: [Int] = [], test: [Int] = []
        let classes = Set(labels).sorted()
        for c in classes {
            let members = labels.indices.filter { labels[$0] == c }
            let order = random.permutation(members.count)
            let testCount = Int((testFraction * Double(members.count)).rounded())
            for (rank, position) in order.enumerated() {
                if rank < testCount { test.append(members[position]) } else { train.append(members[position]) }
            }
        }
        return DataSplit(train: train.sorted(), test: test.sorted())
    }
}
