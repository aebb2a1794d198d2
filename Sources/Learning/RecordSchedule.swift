#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which epochs to record activations at. Epoch 0 is the network before training.
public enum RecordSchedule: Sendable, Equatable {
    /// About `count` epochs from 0 to the last, spaced evenly on a log scale (dense early,
    /// where networks change fastest), or linearly.
    case spaced(count: Int, logarithmic: Bool)
    case explicit([Int])

    /// The distinct epochs in 0...epochs, ascending. Log spacing on few epochs yields fewer
    /// than `count` distinct values.
    public func epochs(upTo last: Int) -> [Int] {
        switch self {
        case .explicit(let list):
            return Array(Set(list.filter { $0 >= 0 && $0 <= last })).sorted()
        case .spaced(let count, let logarithmic):
            guard count > 1, last > 0 else { return last > 0 && count == 1 ? [last] : [0] }
            var chosen = Set<Int>()
            if logarithmic {
                // Geometric steps, but never less than one epoch apart: consecutive epochs early on,
                // log-spaced later, `count` in all when the run is long enough, ending at `last`.
                chosen.insert(0)
                var current = 1
                chosen.insert(current)
                var remaining = min(count, last + 1) - 2
                while remaining > 0 {
                    let ratio = pow(Double(last) / Double(current), 1 / Double(remaining))
                    current = remaining == 1 ? last : max(current + 1, Int((Double(current) * ratio).rounded()))
                    chosen.insert(min(current, last))
                    remaining -= 1
                }
            } else {
                for k in 0..<count { chosen.insert(Int((Double(k) * Double(last) / Double(count - 1)).rounded())) }
            }
            return chosen.filter { $0 <= last }.sorted()
        }
    }
}
