import Dispatch

extension KDEEstimator {
    /// Array storage kept from one call of `bounds` to the next. A call uses about a megabyte of
    /// arrays; allocated afresh, they went back to the system between calls (the allocator trims
    /// the free top of its heap) and were faulted in again, some 200 pages (0.2 ms) a call.
    /// A workspace serves one call at a time: calls borrow one from the idle ones (or make one)
    /// and return it when done, so concurrent calls never share one.
    final class Workspace: @unchecked Sendable {
        /// Arrays given back, by element type (each value a `[[T]]`).
        private var spares: [ObjectIdentifier: Any] = [:]

        /// `count` copies of `value`, in the storage of an array given back if there is one;
        /// without `filled`, the elements kept from that array keep their values instead (for
        /// arrays written before they are read).
        func array<T>(repeating value: T, count: Int, filled: Bool = true) -> [T] {
            let key = ObjectIdentifier(T.self)
            // Taken out of the dictionary, so that the array's storage is uniquely referenced.
            var list = spares.removeValue(forKey: key) as? [[T]] ?? []
            var array = list.popLast() ?? []
            if !list.isEmpty { spares[key] = list }
            if array.count > count {
                array.removeLast(array.count - count)
            } else {
                array.append(contentsOf: repeatElement(value, count: count - array.count))
            }
            // (A store loop; appending the values one by one is several times slower.)
            if filled { array.withUnsafeMutableBufferPointer { $0.update(repeating: value) } }
            return array
        }

        /// Keeps `array`'s storage for a later `array(repeating:count:)`; the caller drops its
        /// own references before then.
        func giveBack<T>(_ array: [T]) {
            let key = ObjectIdentifier(T.self)
            var list = spares.removeValue(forKey: key) as? [[T]] ?? []
            list.append(array)
            spares[key] = list
        }

        /// The last labels and their `denseClasses`: a run's tasks share their labels, usually
        /// one array, which `==` then recognises without reading it.
        private var labels: [Int] = []
        private var classes: (index: [Int], sizes: [Int]) = ([], [])

        func denseClasses(_ labels: [Int]) -> (index: [Int], sizes: [Int]) {
            if labels != self.labels {
                self.labels = labels
                classes = KDEEstimator.denseClasses(labels)
            }
            return classes
        }

        /// Storage for `alignedFloats`, aligned to cache lines (64 bytes).
        private var aligned: UnsafeMutablePointer<Float>?
        private var alignedCapacity = 0

        /// `count` Floats (uninitialised) at a 64-byte boundary, valid until the next call or
        /// until the workspace goes: for vectors loaded whole, which must not straddle cache lines.
        func alignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
            if count > alignedCapacity || aligned == nil {
                aligned?.deallocate()
                alignedCapacity = max(count, 16)
                aligned = UnsafeMutableRawPointer.allocate(byteCount: alignedCapacity * 4, alignment: 64)
                    .bindMemory(to: Float.self, capacity: alignedCapacity)
            }
            return aligned!
        }

        deinit { aligned?.deallocate() }

        private static let lock = DispatchSemaphore(value: 1)
        /// Guarded by `lock`.
        nonisolated(unsafe) private static var idle: [Workspace] = []

        static func borrow() -> Workspace {
            lock.wait()
            defer { lock.signal() }
            return idle.popLast() ?? Workspace()
        }

        static func giveBack(_ workspace: Workspace) {
            lock.wait()
            defer { lock.signal() }
            idle.append(workspace)
        }
    }
}
