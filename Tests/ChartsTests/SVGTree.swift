import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// An SVG document parsed as XML into a tree, with the geometry a reader's eye would check:
/// where text, markers and the legend sit on the page.
struct SVGTree {
    struct Node {
        var name: String
        var attributes: [String: String]
        var text = ""
        var parent: Int?
        var children: [Int] = []

        subscript(_ key: String) -> String? { attributes[key] }
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }

    var nodes: [Node] = []

    init(_ text: String) throws {
        let builder = Builder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = builder
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "xml", code: 1) }
        nodes = builder.nodes
    }

    var root: Node { nodes[0] }

    /// Elements with this tag name and, when given, this class among their classes.
    func all(_ name: String? = nil, class wanted: String? = nil) -> [Node] {
        nodes.filter { (name == nil || $0.name == name) && (wanted == nil || $0.classes.contains(wanted!)) }
    }

    /// Every element under (not including) the first element of this class.
    func inside(class wanted: String) -> [Node] {
        nodes.indices.filter { i in
            var p = nodes[i].parent
            while let at = p { if nodes[at].classes.contains(wanted) { return true }; p = nodes[at].parent }
            return false
        }.map { nodes[$0] }
    }

    /// Whether the node lies inside an element of this class.
    func isInside(_ node: Node, class wanted: String) -> Bool {
        var p = node.parent
        while let at = p { if nodes[at].classes.contains(wanted) { return true }; p = nodes[at].parent }
        return false
    }

    /// The box of a marker (circle, rect, polygon) on the page.
    static func box(of node: Node) -> Box? {
        switch node.name {
        case "circle":
            guard let x = node.number("cx"), let y = node.number("cy"), let r = node.number("r") else { return nil }
            return Box(x0: x - r, y0: y - r, x1: x + r, y1: y + r)
        case "rect":
            guard let x = node.number("x"), let y = node.number("y"), let w = node.number("width"), let h = node.number("height") else { return nil }
            return Box(x0: x, y0: y, x1: x + w, y1: y + h)
        case "polygon", "polyline":
            let pairs = points(of: node)
            guard !pairs.isEmpty else { return nil }
            return Box(x0: pairs.map(\.0).min()!, y0: pairs.map(\.1).min()!, x1: pairs.map(\.0).max()!, y1: pairs.map(\.1).max()!)
        default: return nil
        }
    }

    /// The corners of a polygon or polyline.
    static func points(of node: Node) -> [(Double, Double)] {
        (node["points"] ?? "").split(separator: " ").compactMap { pair -> (Double, Double)? in
            let xy = pair.split(separator: ",").compactMap { Double($0) }
            return xy.count == 2 ? (xy[0], xy[1]) : nil
        }
    }

    /// The box of an unrotated text label, by the charts' rule of 0.6 em per character.
    static func box(ofText node: Node) -> Box? {
        guard let x = node.number("x"), let y = node.number("y") else { return nil }
        let size = node.number("font-size") ?? 11
        let width = Double(node.text.count) * size * 0.6
        let x0: Double
        switch node["text-anchor"] {
        case "middle": x0 = x - width / 2
        case "end": x0 = x - width
        default: x0 = x
        }
        return Box(x0: x0, y0: y - size * 0.8, x1: x0 + width, y1: y + size * 0.2)
    }

    struct Box: CustomStringConvertible {
        var x0, y0, x1, y1: Double
        func intersects(_ o: Box) -> Bool { x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1 }
        var description: String { "[\(x0), \(y0)]–[\(x1), \(y1)]" }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var nodes: [Node] = []
        var stack: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            nodes.append(Node(name: name, attributes: attributes, parent: stack.last))
            if let p = stack.last { nodes[p].children.append(nodes.count - 1) }
            stack.append(nodes.count - 1)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let top = stack.last { nodes[top].text += string }
        }
    }
}

/// What a reader checks first in any chart, whatever its kind.
enum ChartChecks {
    /// Parses, names itself for screen readers, has no unwritable numbers, no duplicate ids,
    /// tick labels apart on each axis, and a legend that covers no marker.
    static func assertReadable(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tree = try SVGTree(svg)
        XCTAssertEqual(tree.root.name, "svg", file: file, line: line)
        XCTAssertEqual(tree.root["role"], "img", file: file, line: line)
        let ids = tree.nodes.compactMap { $0["id"] }
        XCTAssertEqual(ids.count, Set(ids).count, "duplicate ids: \(ids)", file: file, line: line)
        for labelled in (tree.root["aria-labelledby"] ?? "").split(separator: " ") {
            XCTAssertTrue(ids.contains(String(labelled)), "aria-labelledby names a missing id \(labelled)", file: file, line: line)
        }
        XCTAssertFalse(tree.all("title").filter { $0.parent == 0 }.first?.text.isEmpty ?? true, "no <title>", file: file, line: line)
        XCTAssertFalse(tree.all("desc").first?.text.isEmpty ?? true, "no <desc>", file: file, line: line)
        for token in ["nan", "inf"] {
            XCTAssertFalse(tree.nodes.contains { $0.attributes.values.contains { $0.lowercased().contains(token) } }, "\(token) in an attribute", file: file, line: line)
        }

        // Tick labels on one axis never touch: x labels side by side, y labels one above another.
        for axis in ["x", "y"] {
            let boxes = tree.all("text").filter { $0.classes == ["tick", axis] && $0["transform"] == nil }.compactMap(SVGTree.box(ofText:))
            for (a, b) in zip(boxes, boxes.dropFirst()) {
                let apart = axis == "x" ? a.x1 <= b.x0 || b.x1 <= a.x0 : a.y1 <= b.y0 || b.y1 <= a.y0
                XCTAssertTrue(apart, "\(axis) tick labels overlap: \(a) and \(b)", file: file, line: line)
            }
        }

        // The legend's box keeps clear of every marker, bar, ring and crossover label.
        if let frame = tree.inside(class: "legend").first(where: { $0.name == "rect" && $0["fill"] == "none" }), let legend = SVGTree.box(of: frame) {
            let data = tree.nodes.filter { node in
                (tree.isInside(node, class: "series") && ["circle", "rect", "polygon"].contains(node.name) && !node.classes.contains("band"))
                    || (tree.isInside(node, class: "crossover") && node.name == "circle")
            }
            let lines = tree.nodes.filter { tree.isInside($0, class: "series") && $0.name == "polyline" }
            XCTAssertFalse(data.isEmpty && lines.isEmpty, "a legend but no data", file: file, line: line)
            // Lines (learning curves drawn without markers) are followed a pixel at a time.
            for polyline in lines {
                let points = SVGTree.points(of: polyline)
                for (a, b) in zip(points, points.dropFirst()) {
                    let steps = max(1, Int(hypot(b.0 - a.0, b.1 - a.1)))
                    let crossing = (0...steps).contains { k in
                        let t = Double(k) / Double(steps)
                        let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
                        return x > legend.x0 && x < legend.x1 && y > legend.y0 && y < legend.y1
                    }
                    XCTAssertFalse(crossing, "legend \(legend) covers a line from \(a) to \(b)", file: file, line: line)
                }
            }
            for marker in data {
                guard let box = SVGTree.box(of: marker) else { continue }
                XCTAssertFalse(box.intersects(legend), "legend \(legend) covers a \(marker.name) at \(box)", file: file, line: line)
            }
            for label in tree.inside(class: "crossover").filter({ $0.name == "text" }) {
                if let box = SVGTree.box(ofText: label) { XCTAssertFalse(box.intersects(legend), "legend covers the label \(label.text)", file: file, line: line) }
            }
        }
    }
}
