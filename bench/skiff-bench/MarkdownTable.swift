/// A Markdown table with padded columns; the first row is the header.
func markdownTable(_ rows: [[String]]) -> String {
    var widths = [Int](repeating: 0, count: rows[0].count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ row: [String]) -> String {
        "| " + row.enumerated().map { i, cell in cell + String(repeating: " ", count: widths[i] - cell.count) }.joined(separator: " | ") + " |\n"
    }
    var out = line(rows[0])
    out += "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|\n"
    for row in rows.dropFirst() { out += line(row) }
    return out
}
