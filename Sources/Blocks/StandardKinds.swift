import Engine

extension KindRegistry {
    /// Every block kind InfoPlane ships.
    public static var standard: KindRegistry {
        KindRegistry([DatasetKind(), EstimatorKind(), ModelKind(), PlotKind(), TableKind(), SweepKind(), FitKind()])
    }
}
