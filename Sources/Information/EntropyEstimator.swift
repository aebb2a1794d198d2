import NumericCore

/// A differential-entropy estimator on samples (rows of a matrix), in nats; mutual information
/// follows from entropies the same way for every one of them.
public protocol EntropyEstimator: Sendable {
    func entropy(_ m: Matrix) throws -> Double
}

extension EntropyEstimator {
    /// I(X;Y) = h(X) + h(Y) − h(X,Y), in nats.
    public func mutualInformation(_ x: Matrix, _ y: Matrix) throws -> Double {
        try entropy(x) + entropy(y) - entropy(Matrix.concatenatingColumns(x, y))
    }

    /// Σ_y p(y) h(T | Y = y) for class labels Y, in nats.
    public func conditionalEntropy(_ t: Matrix, labels: [Int]) throws -> Double {
        precondition(t.rows == labels.count)
        var conditional = 0.0
        for c in Set(labels).sorted() {
            let members = labels.indices.filter { labels[$0] == c }
            var values: [Double] = []
            values.reserveCapacity(members.count * t.columns)
            for r in members { values += t.values[(r * t.columns)..<((r + 1) * t.columns)] }
            let h = try entropy(Matrix(rows: members.count, columns: t.columns, values: values))
            conditional += Double(members.count) / Double(t.rows) * h
        }
        return conditional
    }

    /// I(T;Y) for class labels Y: h(T) − Σ_y p(y) h(T | Y = y), in nats.
    public func mutualInformation(_ t: Matrix, labels: [Int]) throws -> Double {
        try entropy(t) - conditionalEntropy(t, labels: labels)
    }
}
