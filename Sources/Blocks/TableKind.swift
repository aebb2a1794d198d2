import Engine
import Notebook

/// `table`: chosen results of several blocks, one row per block.
public struct TableKind: BlockKind {
    public init() {}

    public let name = "table"
    public let version = 1
    public let summary = "Shows chosen results of several blocks as a numbered table, one row per block (one per point of a sweep)."

    public var keys: [KeySpec] {
        [
            KeySpec("from", .references(kinds: []), required: true, doc: "Blocks to list, one row each, in this order; a sweep gives one row per point."),
            KeySpec("columns", .list(.string, count: 1...50), required: true, doc: "Result keys to show as columns (e.g. [method, mi, truth, error])."),
            KeySpec("caption", .string, default: "", doc: "Caption of the numbered table."),
        ]
    }

    public var results: [ResultSpec] {
        [ResultSpec("rows", doc: "Number of rows.")]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let columns = spec["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for id in spec.ids("from") {
            guard let (kind, refSpec) = context.referenced[id] else { continue }
            let names = kind.resultNames(for: refSpec)
            for column in columns where !names.contains(column) && !names.contains(String(column.split(separator: ".").first ?? "")) {
                var notes: [Diagnostic.Note] = [.init("results of \(kind.name) '\(id)': \(names.joined(separator: ", "))")]
                if let near = NameSuggestion.nearest(to: column, in: names) { notes.insert(.init("did you mean '\(near)'?"), at: 0) }
                diagnostics.append(.error("'columns': \(kind.name) '\(id)' has no result '\(column)'", at: spec.location(of: "columns"), notes: notes))
            }
        }
        return diagnostics
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let columns = input.spec["columns"]!.arrayValue!.compactMap(\.stringValue)
        let ids = input.spec.ids("from")
        // A sweep's points name themselves by their grid columns; other blocks by their id.
        let labelled = !ids.allSatisfy(input.isSweep)
        var rows: [Value] = []
        var numeric = Set(columns.indices)
        for id in ids {
            for source in try input.rows(of: id) {
                var row: [Value] = labelled ? [.string(source.label)] : []
                for (i, column) in columns.enumerated() {
                    let value = Value.object(source.values).result(named: column) ?? .null
                    if value.doubleValue == nil && value != .null { numeric.remove(i) }
                    row.append(.string(value.displayText))
                }
                rows.append(.array(row))
            }
        }
        let offset = labelled ? 1 : 0
        return BlockOutput(values: [
            "rows": .int(rows.count),
            "header": .array((labelled ? [.string("block")] : []) + columns.map { .string($0) }),
            "cells": .array(rows),
            "numeric": .array(numeric.sorted().map { .int($0 + offset) }),
        ])
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let header = output.values["header"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let rows = output.values["cells"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
        let numeric = Set(output.values["numeric"]?.arrayValue?.compactMap(\.intValue) ?? [])
        var table = Table(header: header, rows: rows, numericColumns: numeric)
        table.caption = spec.string("caption") ?? ""
        return [.table(table)]
    }
}
