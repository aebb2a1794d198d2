/// The 12-bit task of Shwartz-Ziv & Tishby (2017): all 4096 binary inputs, labelled by a rule on
/// the 12 vertices of an icosahedron that reproduces the published labels exactly.
///
/// Row i is i in binary, most significant bit first. For a row with n ones, e pairs of ones
/// joined by an edge, a antipodal pairs of ones and d2 = n(n−1)/2 − e − a other pairs of ones,
/// the label is 1 iff 23n + e − 5·d2 − 8a ≥ 99 (2118 positives of 4096).
public enum Tishby12 {
    public static let count = 4096
    public static let features = 12

    /// The 30 edges of the icosahedron on columns 0–11.
    public static let edges: [(Int, Int)] = [
        (0, 1), (0, 3), (0, 5), (0, 10), (0, 11), (1, 2), (1, 3), (1, 4), (1, 11), (2, 3),
        (2, 4), (2, 8), (2, 9), (3, 8), (3, 10), (4, 6), (4, 9), (4, 11), (5, 6), (5, 7),
        (5, 10), (5, 11), (6, 7), (6, 9), (6, 11), (7, 8), (7, 9), (7, 10), (8, 9), (8, 10),
    ]
    /// The 6 pairs of opposite vertices.
    public static let antipodes: [(Int, Int)] = [(0, 9), (1, 7), (2, 5), (3, 6), (4, 10), (8, 11)]

    public static func bits(_ row: Int) -> [Int] {
        (0..<features).map { (row >> (features - 1 - $0)) & 1 }
    }

    /// The rule's ingredients for one row: ones, one-one edges, one-one antipodal pairs.
    public static func counts(_ row: Int) -> (ones: Int, edges: Int, antipodal: Int) {
        let b = bits(row)
        let n = b.reduce(0, +)
        let e = edges.filter { b[$0.0] == 1 && b[$0.1] == 1 }.count
        let a = antipodes.filter { b[$0.0] == 1 && b[$0.1] == 1 }.count
        return (n, e, a)
    }

    public static func label(_ row: Int) -> Int {
        let (n, e, a) = counts(row)
        let d2 = n * (n - 1) / 2 - e - a
        return 23 * n + e - 5 * d2 - 8 * a >= 99 ? 1 : 0
    }

    /// Inputs as 0/1 values (4096 × 12, row-major) and labels.
    public static func make() -> (inputs: [Double], labels: [Int]) {
        var inputs = [Double]()
        inputs.reserveCapacity(count * features)
        for row in 0..<count { inputs += bits(row).map(Double.init) }
        return (inputs, (0..<count).map(label))
    }
}
