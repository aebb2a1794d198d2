import Engine
import Foundation
import Learning
import Notebook

/// `table`: chosen results of several blocks, one row per block, or the rows of a CSV file.
public struct TableKind: BlockKind {
    public init() {}

    public let name = "table"
    public let version = 2  // 2: `file`, the rows of a CSV file
    public let summary = "Shows chosen results of several blocks as a numbered table, one row per block (one per point of a sweep), or chosen columns of a CSV file."

    public var keys: [KeySpec] {
        [
            KeySpec("from", .references(kinds: []), doc: "Blocks to list, one row each, in this order; a sweep gives one row per point. Give `from` or `file`."),
            KeySpec("file", .string, doc: "A CSV file with a header row, relative to the notebook's folder: one table row per data row (measurements made outside the notebook, such as timings). Give `from` or `file`."),
            KeySpec("columns", .list(.string, count: 1...50), required: true, doc: "Result keys (with `file`: header names) to show as columns (e.g. [method, mi, truth, error])."),
            KeySpec("by", .list(.string, count: 1...10),
                    doc: "Columns whose values group the rows (e.g. [loss] over seeds): one row per group, numbers shown as mean ± standard deviation, with the count of rows in `runs`."),
            KeySpec("where", .grid, doc: "Keep only the rows whose results take one of the listed values, e.g. {l2: [0], batch: [32, 128]}."),
            KeySpec("caption", .string, default: "", doc: "Caption of the numbered table."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("rows", doc: "Number of rows."),
            ResultSpec("summary", doc: "With `by`: per group, its values of the `by` columns and for every numeric column {mean, sd, n} (e.g. summary.0.test_rmse.mean)."),
        ]
    }

    /// The file's contents go into the cache key: editing it redraws the table.
    public func fingerprint(_ spec: ResolvedSpec, environment: RunEnvironment) -> [String: Value] {
        guard let path = spec.string("file"), let url = try? environment.readableFile(path),
              let data = try? Data(contentsOf: url) else { return [:] }
        return ["file": .string(Hashing.sha256Hex(data: data))]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let columns = spec["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for key in spec["by"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !columns.contains(key) {
            diagnostics.append(.error("'by': '\(key)' is not one of the table's columns (\(columns.joined(separator: ", ")))", at: spec.location(of: "by")))
        }
        switch (spec["from"], spec.string("file")) {
        case (nil, nil):
            diagnostics.append(.error("a table needs 'from' (blocks) or 'file' (a CSV file)", at: spec.location(of: "columns")))
        case (.some, .some):
            diagnostics.append(.error("give 'from' or 'file', not both", at: spec.location(of: "file")))
        case (nil, .some(let path)):
            do {
                let header = try Self.readFile(path, environment: context.environment).header
                for column in columns where !header.contains(column) {
                    diagnostics.append(.error("'columns': '\(column)' is not a column of '\(path)' (\(header.joined(separator: ", ")))", at: spec.location(of: "columns")))
                }
            } catch {
                diagnostics.append(.error("\(error)", at: spec.location(of: "file")))
            }
        default:
            break
        }
        for id in spec.ids("from") {
            diagnostics += columns.compactMap { context.unknownResult($0, shown: $0, of: id, key: "columns", at: spec.location(of: "columns")) }
        }
        return diagnostics
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let columns = input.spec["columns"]!.arrayValue!.compactMap(\.stringValue)
        let ids = input.spec.ids("from")
        // A sweep's points name themselves by their grid columns; other blocks by their id.
        let labelled = !ids.isEmpty && !ids.allSatisfy(input.isSweep)
        var sources: [ResultRow] = []
        if let path = input.spec.string("file") {
            sources = input.filtered(try Self.fileRows(path, environment: input.environment))
        }
        for id in ids { sources += try input.rows(of: id) }
        var rows: [Value] = []
        var raw: [[Value]] = []
        var numeric = Set(columns.indices)
        for source in sources {
            var row: [Value] = labelled ? [.string(source.label)] : []
            var rawRow: [Value] = []
            for (i, column) in columns.enumerated() {
                let value = Value.object(source.values).result(named: column) ?? .null
                if value.doubleValue == nil && value != .null { numeric.remove(i) }
                row.append(.string(value.displayText))
                rawRow.append(value)
            }
            rows.append(.array(row))
            raw.append(rawRow)
        }
        if let by = input.spec["by"]?.arrayValue?.compactMap(\.stringValue) {
            return Self.grouped(rows: raw, columns: columns, by: by)
        }
        let offset = labelled ? 1 : 0
        return BlockOutput(values: [
            "rows": .int(rows.count),
            "header": .array((labelled ? [.string("block")] : []) + columns.map { .string($0) }),
            "cells": .array(rows),
            "numeric": .array(numeric.sorted().map { .int($0 + offset) }),
        ])
    }

    /// The data rows of a CSV file, numbers as numbers.
    static func fileRows(_ path: String, environment: RunEnvironment) throws -> [ResultRow] {
        let table = try readFile(path, environment: environment)
        return table.rows.map { fields in
            var values: [String: Value] = [:]
            for (name, text) in zip(table.header, fields) {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if let number = Double(trimmed), number.isFinite {
                    values[name] = .double(number)
                } else {
                    values[name] = trimmed.isEmpty ? .null : .string(trimmed)
                }
            }
            return ResultRow(label: path, values: values)
        }
    }

    static func readFile(_ path: String, environment: RunEnvironment) throws -> CSVTable {
        do {
            let url = try environment.readableFile(path)
            return try CSVTable.parse([UInt8](try Data(contentsOf: url)))
        } catch let error as RunEnvironment.AccessError {
            throw BlockError(error.description)
        } catch let error as FileFormatError {
            throw BlockError("\(path): \(error)")
        } catch let error as BlockError {
            throw error
        } catch {
            throw BlockError("cannot read '\(path)': \(error.localizedDescription)")
        }
    }

    /// One row per distinct combination of the `by` columns, in order of first appearance;
    /// numbers as mean ± standard deviation (n − 1 in the denominator) over the group's rows.
    static func grouped(rows: [[Value]], columns: [String], by: [String]) -> BlockOutput {
        let keyIndices = by.compactMap { columns.firstIndex(of: $0) }
        var order: [[Value]] = []
        var members: [[Value]: [[Value]]] = [:]
        for row in rows {
            let key = keyIndices.map { row[$0] }
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(row)
        }
        let others = columns.indices.filter { !keyIndices.contains($0) }
        var cells: [Value] = [], summary: [Value] = []
        for key in order {
            let group = members[key]!
            var row: [Value] = key.map { .string($0.displayText) } + [.string(String(group.count))]
            var entry: [String: Value] = Dictionary(uniqueKeysWithValues: zip(by, key))
            for i in others {
                let numbers = group.compactMap { $0[i].doubleValue }.filter(\.isFinite)
                guard !numbers.isEmpty, numbers.count == group.count else {
                    row.append(.string(Set(group.map { $0[i].displayText }).sorted().joined(separator: ", ")))
                    continue
                }
                let mean = numbers.reduce(0, +) / Double(numbers.count)
                let sd = numbers.count > 1
                    ? (numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(numbers.count - 1)).squareRoot() : 0
                row.append(.string(numbers.count > 1 ? "\(NumberFormatting.format(mean)) ± \(NumberFormatting.format(sd))" : NumberFormatting.format(mean)))
                entry[columns[i]] = .object(["mean": .double(mean), "sd": .double(sd), "n": .int(numbers.count)])
            }
            cells.append(.array(row))
            summary.append(.object(entry))
        }
        let header = by + ["runs"] + others.map { columns[$0] }
        return BlockOutput(values: [
            "rows": .int(cells.count),
            "header": .array(header.map(Value.string)),
            "cells": .array(cells),
            "numeric": .array(Array(by.count..<header.count).map { .int($0) }),
            "summary": .array(summary),
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
