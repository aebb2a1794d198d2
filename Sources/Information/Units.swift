/// Units of information: every estimator computes in nats; reports may ask for bits.
public enum InformationUnit: String, Sendable, CaseIterable {
    case nats, bits

    /// Converts a value in nats to this unit.
    public func fromNats(_ nats: Double) -> Double {
        self == .nats ? nats : nats / 0.693_147_180_559_945_3
    }
}
