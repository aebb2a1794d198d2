import Dispatch
import Foundation
import Information
import Learning
import NumericCore

// Times binning and KDE on every recorded layer and epoch of the Tishby net (12-10-7-5-4-3-2),
// recordings from a real training run (Learning's FloatTraining, Adam, batch 512, 274 log-spaced
// recorded epochs on all 4096 inputs), one task per (layer, epoch) spread over all cores as
// EstimatorKind does. Usage:
//     swift run -c release layer-timing [--epochs 8000] [--activation tanh|relu] [--lr 0.0004]
//                                       [--legacy-sample 24]
// --reference-sample k compares the KDE bounds of k evenly spaced tasks with an all-pairs Double
// evaluation (Reference.swift; about 0.2 s a task) and prints the largest differences.
// --legacy-sample k also runs the previous implementations (Legacy.swift) on k evenly spaced
// tasks, to extrapolate their time and compare their values with the new ones.
// Environment: SKIP_KDE=1 times binning only; KDE_ONLY_TASK=t times one task (best of 20, for
// profiling); KDE_DUMP=path writes every task's four KDE bounds as bit patterns (BIN_DUMP=path the binning estimates); LAYER_STATS=1 prints, for 24 sampled tasks, the distinct rows and the share of
// pairs within the skip radii; PER_LAYER=k times every k-th epoch of each layer (chains of KDEEstimator.Chain.length from
// every k-th; NO_CHAIN=1 for single epochs, also in the main run), one task at a time, by thread CPU time. The recordings are cached in .build/recordings-*.bin.
// Times are wall clock; the machine's 2 cores may be shared, so the CPU time of the whole
// process is printed too.

// Freed memory stays with the process, as the infoplane command sets it up: glibc would
// otherwise return large freed blocks to the system and fault them back in, task after task.
MemoryTuning.keepFreedMemory()

var epochs = 8000, activation = Activation.tanh, lr = 4e-4, legacySample = 24, recordCount = 274, referenceSample = 0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    guard let value = arguments.next() else { fatalError("\(flag) needs a value") }
    switch flag {
    case "--epochs": epochs = Int(value)!
    case "--activation": activation = Activation(rawValue: value)!
    case "--lr": lr = Double(value)!
    case "--legacy-sample": legacySample = Int(value)!
    case "--records": recordCount = Int(value)!
    case "--reference-sample": referenceSample = Int(value)!
    default: fatalError("unknown flag \(flag)")
    }
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let (inputs, labels) = Tishby12.make()
let n = labels.count
let cache = URL(fileURLWithPath: ".build/recordings-\(activation.rawValue)-\(epochs)-\(lr)-\(recordCount).bin")
let widths = [10, 7, 5, 4, 3, 2]
var layers: [[Float]] = []
var recorded = 0
if let data = try? Data(contentsOf: cache) {
    let all = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    recorded = all.count / (n * widths.reduce(0, +))
    var offset = 0
    for w in widths { layers.append(Array(all[offset..<(offset + recorded * n * w)])); offset += recorded * n * w }
    print("recordings read from \(cache.path)")
} else {
    let data = LabelledData(features: inputs, width: 12, targets: labels.map(Double.init), targetWidth: 1, classes: 2)
    let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 1)
    let plan = TrainingPlan(hidden: [10, 7, 5, 4, 3], activation: activation, loss: .crossEntropy, optimizer: .adam,
                            learningRate: lr, batch: 512, epochs: epochs,
                            record: .spaced(count: recordCount, logarithmic: true), seed: 1)
    var result: TrainingResult!
    let t = seconds { result = try! FloatTraining.train(plan, data: data, train: split.train, test: split.test, recordRows: Array(0..<n)) }
    print(String(format: "trained %d epochs in %.1f s, test accuracy %.3f", epochs, t, result.testAccuracy.last!))
    layers = result.activations
    recorded = result.recordedEpochs.count
    var blob = Data()
    for l in layers { l.withUnsafeBytes { blob.append(contentsOf: $0) } }
    try? blob.write(to: cache)
}
print("\(recorded) recorded epochs x \(widths.count) layers x \(n) rows, \(ProcessInfo.processInfo.activeProcessorCount) cores")

let tasks = widths.count * recorded
func slice(_ task: Int) -> (UnsafeBufferPointer<Float>, Int, Bool) {
    let layer = task / recorded, e = task % recorded, w = widths[layer]
    let base = layers[layer].withUnsafeBufferPointer { $0.baseAddress! } + e * n * w
    return (UnsafeBufferPointer(start: base, count: n * w), w, layer == widths.count - 1)
}

final class Box<T>: @unchecked Sendable { var value: T; init(_ v: T) { value = v } }

if let only = ProcessInfo.processInfo.environment["KDE_ONLY_TASK"].flatMap(Int.init) {
    // Profiling aid: one task, 20 times.
    let (s, w, _) = slice(only)
    var best = Double.infinity
    for _ in 0..<(Int(ProcessInfo.processInfo.environment["KDE_REPEAT"] ?? "") ?? 20) { best = min(best, seconds { _ = KDEEstimator(noiseVariance: 1e-3).bounds(s, rows: n, width: w, labels: labels) }) }
    print(String(format: "task %d: %.2f ms (best of 20)", only, best * 1000))
    exit(0)
}

if let stride = ProcessInfo.processInfo.environment["PER_LAYER"].flatMap(Int.init) {
    // Per-layer cost: every stride-th epoch of each layer, one task at a time on this thread,
    // timed by the thread's CPU clock (less disturbed by other processes than wall time).
    func threadSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    var total = 0.0
    for l in widths.indices {
        var sum = 0.0, worst = 0.0, count = 0
        // Chains of KDEEstimator.Chain.length epochs from every stride-th epoch (NO_CHAIN=1: one epoch).
        let length = ProcessInfo.processInfo.environment["NO_CHAIN"] == nil ? KDEEstimator.Chain.length : 1
        for first in Swift.stride(from: 0, to: recorded, by: max(stride, length)) {
            var chain = KDEEstimator.Chain()
            for e in first..<min(first + length, recorded) {
                let (s, w, _) = slice(l * recorded + e)
                let start = threadSeconds()
                _ = KDEEstimator(noiseVariance: 1e-3).bounds(s, rows: n, width: w, labels: labels, chain: &chain)
                let t = threadSeconds() - start
                sum += t; worst = max(worst, t); count += 1
            }
        }
        total += sum / Double(count) * Double(recorded)
        print(String(format: "  L%d (width %2d): %.2f ms CPU a task on average (worst %.2f) over %d epochs, %.2f s for all %d",
                     l + 1, widths[l], sum / Double(count) * 1000, worst * 1000, count, sum / Double(count) * Double(recorded), recorded))
    }
    print(String(format: "kde CPU time for all %d tasks, extrapolated: %.2f s", tasks, total))
    exit(0)
}

// Binning, as EstimatorKind calls it (tanh: [−1, 1], output layer: [0, 1]).
let binned = Box([BinningEstimator.Estimate](repeating: .init(ixt: 0, ity: 0), count: tasks))
var binTime = Double.infinity
for _ in 0..<3 {
    binTime = min(binTime, seconds {
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let (s, w, isOutput) = slice(task)
            binned.value[task] = BinningEstimator(bins: 30).estimate(s, rows: n, width: w, labels: labels,
                                                                      range: isOutput ? 0...1 : -1...1)
        }
    })
}
print(String(format: "binning: %d tasks in %.3f s (best of 3)", tasks, binTime))
if let path = ProcessInfo.processInfo.environment["BIN_DUMP"] {
    // Every task's two binning estimates as bit patterns, one task a line, to compare builds exactly.
    let lines = binned.value.enumerated().map { task, b in "\(task) " + [b.ixt, b.ity].map { String($0.bitPattern, radix: 16) }.joined(separator: " ") }
    try! (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

// KDE as EstimatorKind runs it: each layer's epochs in chains of KDEEstimator.Chain.length
// (NO_CHAIN=1: every task on its own).
let kde = Box([KDEEstimator.Bounds](repeating: .init(ixtUpper: 0, ixtLower: 0, ityUpper: 0, ityLower: 0), count: tasks))
let chained = ProcessInfo.processInfo.environment["NO_CHAIN"] == nil
let chainLength = chained ? KDEEstimator.Chain.length : 1
let chainsPerLayer = (recorded + chainLength - 1) / chainLength
let kdeTime = ProcessInfo.processInfo.environment["SKIP_KDE"] != nil ? 0 : seconds {
    DispatchQueue.concurrentPerform(iterations: widths.count * chainsPerLayer) { job in
        let layer = job / chainsPerLayer, first = (job % chainsPerLayer) * chainLength
        var chain = KDEEstimator.Chain()
        for e in first..<min(first + chainLength, recorded) {
            let task = layer * recorded + e
            let (s, w, _) = slice(task)
            kde.value[task] = KDEEstimator(noiseVariance: 1e-3).bounds(s, rows: n, width: w, labels: labels, chain: &chain)
        }
    }
}
print(String(format: "kde: %d tasks in %.3f s%@", tasks, kdeTime, chained ? " (chains of \(chainLength) epochs)" : ""))
if let path = ProcessInfo.processInfo.environment["KDE_DUMP"] {
    // Every task's four bounds as bit patterns, one task a line, to compare builds exactly.
    let lines = kde.value.enumerated().map { task, b in
        "\(task) " + [b.ixtUpper, b.ixtLower, b.ityUpper, b.ityLower].map { String($0.bitPattern, radix: 16) }.joined(separator: " ")
    }
    try! (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}
print(String(format: "binning + kde: %.3f s", binTime + kdeTime))
print(String(format: "process CPU time so far (training or reading, 3 binning runs, kde): %.1f s",
             Double(clock()) / Double(CLOCKS_PER_SEC)))
for l in widths.indices {
    let last = kde.value[l * recorded + recorded - 1], first = kde.value[l * recorded]
    print(String(format: "  L%d (width %2d): kde upper I(X;T) first %.4f last %.4f nats; binning last %.4f", l + 1, widths[l],
                 first.ixtUpper, last.ixtUpper, binned.value[l * recorded + recorded - 1].ixt))
}

if legacySample > 0 {
    let sample = (0..<legacySample).map { $0 * (tasks - 1) / max(1, legacySample - 1) }
    var legacyKDE = [LegacyKDE.Bounds](repeating: .init(ixtUpper: 0, ixtLower: 0, ityUpper: 0, ityLower: 0), count: sample.count)
    let t = seconds {
        for (k, task) in sample.enumerated() {
            let (s, w, _) = slice(task)
            legacyKDE[k] = LegacyKDE(noiseVariance: 1e-3).bounds(s, rows: n, width: w, labels: labels)
        }
    }
    var worst = 0.0
    for (k, task) in sample.enumerated() {
        let a = legacyKDE[k], b = kde.value[task]
        for (x, y) in [(a.ixtUpper, b.ixtUpper), (a.ixtLower, b.ixtLower), (a.ityUpper, b.ityUpper), (a.ityLower, b.ityLower)] {
            worst = max(worst, abs(x - y))
        }
    }
    print(String(format: "previous kde: %d sampled tasks in %.2f s on one core: %.1f ms per task, about %.0f s for all %d tasks on 2 cores",
                 sample.count, t, t / Double(sample.count) * 1000, t / Double(sample.count) * Double(tasks) / 2, tasks))
    print(String(format: "  largest difference previous vs new on the sampled tasks: %.2e nats", worst))
    var legacyBins = [LegacyBinning.Estimate](repeating: .init(ixt: 0, ity: 0), count: tasks)
    let tb = seconds {
        for task in 0..<tasks {
            let (s, w, isOutput) = slice(task)
            legacyBins[task] = LegacyBinning(bins: 30).estimate(s, rows: n, width: w, labels: labels, range: isOutput ? 0...1 : -1...1)
        }
    }
    let binDifference = (0..<tasks).map { max(abs(legacyBins[$0].ixt - binned.value[$0].ixt), abs(legacyBins[$0].ity - binned.value[$0].ity)) }.max() ?? 0
    print(String(format: "previous binning: %d tasks in %.3f s on one core; largest difference from the new results: %.1e nats", tasks, tb, binDifference))
}

if referenceSample > 0 {
    let sample = (0..<referenceSample).map { $0 * (tasks - 1) / max(1, referenceSample - 1) }
    var worst = [0.0, 0.0, 0.0, 0.0], worstTask = [0, 0, 0, 0]
    for task in sample {
        let (s, w, _) = slice(task)
        let a = kde.value[task], b = allPairsKDE(s, rows: n, width: w, labels: labels, noiseVariance: 1e-3)
        for (k, (x, y)) in [(a.ixtUpper, b.ixtUpper), (a.ixtLower, b.ixtLower), (a.ityUpper, b.ityUpper), (a.ityLower, b.ityLower)].enumerated()
            where abs(x - y) > worst[k] {
            worst[k] = abs(x - y)
            worstTask[k] = task
        }
    }
    print(String(format: "largest difference from all-pairs Double on %d sampled tasks (nats): I(X;T) upper %.1e (task %d), lower %.1e (task %d); I(T;Y) upper %.1e (task %d), lower %.1e (task %d)",
                 sample.count, worst[0], worstTask[0], worst[1], worstTask[1], worst[2], worstTask[2], worst[3], worstTask[3]))
}

if ProcessInfo.processInfo.environment["LAYER_STATS"] != nil {
    // Per sampled task: distinct rows, and the share of pairs within the skip radii.
    for task in stride(from: 0, to: tasks, by: tasks / 24) {
        let (s, w, _) = slice(task)
        var distinct = Set<[UInt32]>()
        for r in 0..<n { distinct.insert((0..<w).map { s[r * w + $0].bitPattern }) }
        var near = [0, 0, 0]
        let radii = [(log(4096.0) + 28) * 8e-3, (log(4096.0) + 16) * 8e-3, (log(4096.0) + 16) * 2e-3]
        for i in stride(from: 0, to: n, by: 16) {
            for j in 0..<n {
                var d: Float = 0
                for c in 0..<w { let t = s[i * w + c] - s[j * w + c]; d += t * t }
                for k in 0..<3 where Double(d) < radii[k] { near[k] += 1 }
            }
        }
        let t = seconds { _ = KDEEstimator(noiseVariance: 1e-3).bounds(s, rows: n, width: w, labels: labels) }
        print(String(format: "task %4d L%d epoch#%3d: distinct %4d, near pairs %.3f / %.3f / %.3f, kde %.1f ms", task, task / recorded + 1, task % recorded,
                     distinct.count, Double(near[0]) / Double(n * n / 16), Double(near[1]) / Double(n * n / 16), Double(near[2]) / Double(n * n / 16), t * 1000))
    }
}
