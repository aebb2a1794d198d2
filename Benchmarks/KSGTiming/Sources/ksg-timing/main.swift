import Dispatch
import Foundation
import Information
import Learning
import NumericCore

// Times KSG (k = 3 unless --k) on Gaussian pairs (1 nat, X and Y of the same dimension), best
// of --runs, wall clock and the process's CPU time for that best run. Usage:
//     swift run -c release ksg-timing [--dims 1,5,25,50] [--samples 5000] [--runs 7] [--k 3] [--check 1]
// A dimension d means X and Y of d dimensions each; AxB (such as 1x2) means X of A, Y of B.
// --check 1 also computes the all-pairs reference and prints the difference (must be 0).

var dims = ["1", "5", "25", "50"], samples = 5000, runs = 7, k = 3, check = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    guard let value = arguments.next() else { fatalError("\(flag) needs a value") }
    switch flag {
    case "--dims": dims = value.split(separator: ",").map(String.init)
    case "--samples": samples = Int(value)!
    case "--runs": runs = Int(value)!
    case "--k": k = Int(value)!
    case "--check": check = value == "1"
    default: fatalError("unknown flag \(flag)")
    }
}

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let estimator = KSGEstimator(k: k)
print("dims  best wall ms  its CPU ms  median wall ms  estimate")
for d in dims {
    let sides = d.split(separator: "x").map { Int($0)! }
    let (x, y) = GaussianPairs(mutualInformation: 1, xDimension: sides[0], yDimension: sides.last!).sample(count: samples, seed: 7)
    var walls: [Double] = [], best = (wall: Double.infinity, cpu: 0.0), value = 0.0
    for _ in 0..<runs {
        let c0 = cpuSeconds(), w0 = DispatchTime.now().uptimeNanoseconds
        value = try! estimator.mutualInformation(x, y)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e6, cpu = (cpuSeconds() - c0) * 1e3
        walls.append(wall)
        if wall < best.wall { best = (wall, cpu) }
    }
    walls.sort()
    var line = String(repeating: " ", count: max(0, 4 - d.count)) + d
    line += String(format: "  %12.2f  %10.2f  %14.2f  %.17g", best.wall, best.cpu, walls[walls.count / 2], value)
    if check {
        let reference = try! estimator.exhaustiveMutualInformation(x, y)
        line += String(format: "  reference difference %.3g", value - reference)
    }
    print(line)
}
