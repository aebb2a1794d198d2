import Engine
import Foundation
import Notebook

/// Refuses, before anything runs, work that could not fit in this machine's memory, saying how
/// much it would need.
enum MemoryBudget {
    /// Half the physical memory: room for the rest of the run and the system.
    static var limit: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    static func check(bytes: Double, what: String, at location: SourceLocation) -> [Diagnostic] {
        guard bytes > limit else { return [] }
        return [.error("\(what) would need about \(format(bytes)) of memory; this machine has \(format(Double(ProcessInfo.processInfo.physicalMemory)))",
                       at: location, notes: [.init("make it smaller; InfoPlane refuses work above half the memory")])]
    }

    static func format(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return "\(NumberFormatting.format(value)) \(units[unit])"
    }

    /// Rows a dataset block will hold, from its spec alone.
    static func rows(ofDataset spec: ResolvedSpec) -> Int? {
        switch spec.string("source") {
        case "tishby12": return 4096
        case "gaussian", "mnist1d", "gaussian-images", "friedman1": return spec.int("size")
        default: return nil
        }
    }
}
