import Dispatch

/// A computation started on another thread at once, whose value is waited for when needed: how
/// training evaluates one epoch while it trains the next.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    // Written once on the worker before `done` is signalled, read only after waiting on it.
    private var result: Value?
    private let done = DispatchSemaphore(value: 0)
    // Touched only by the thread that reads `value`.
    private var waited = false

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            self.result = work()
            self.done.signal()
        }
    }

    /// Waits for the computation (once; later reads return at once). Read it from one thread.
    var value: Value {
        if !waited {
            done.wait()
            waited = true
        }
        return result!
    }
}
