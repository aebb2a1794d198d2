/// Okabe & Ito's colour-blind-safe palette (2008), with marker shapes as a second cue.
public enum Palette {
    public static let colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    public enum Marker: CaseIterable, Sendable { case circle, square, triangle, diamond }

    public static func color(_ index: Int) -> String { colors[index % colors.count] }
    public static func marker(_ index: Int) -> Marker { Marker.allCases[index % Marker.allCases.count] }
}
