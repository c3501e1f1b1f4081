import Foundation

/// Columns aligned for a terminal: a header row, then one row per item; numbers right-aligned.
struct TextTable {
    struct Column {
        var title: String
        var rightAligned = false
        /// Longest cell shown; longer text is cut with an ellipsis (notes can be long).
        var maximumWidth = 60
    }

    var columns: [Column]
    private var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func add(_ cells: [String]) {
        rows.append(cells.enumerated().map { index, cell in
            let limit = index < columns.count ? columns[index].maximumWidth : 60
            let flat = cell.replacingOccurrences(of: "\n", with: " ")
            return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
        })
    }

    /// The table's lines, indented by `indent` spaces.
    func lines(indent: Int = 2) -> [String] {
        var widths = columns.map(\.title.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let pad = String(repeating: " ", count: indent)
        func render(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() where index < columns.count {
                let fill = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let last = index == cells.count - 1
                parts.append(columns[index].rightAligned ? fill + cell : (last ? cell : cell + fill))
            }
            return pad + parts.joined(separator: "  ")
        }
        return [render(columns.map(\.title))] + rows.map(render)
    }
}
