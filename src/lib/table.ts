/**
 * Plain-text table, two spaces between columns. By default the first column is left-aligned and the others (numbers)
 * right-aligned; `align` gives each column's side ("l" or "r").
 */
export const renderTable = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  align?: ReadonlyArray<"l" | "r">
): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const left = (i: number) => (align === undefined ? i === 0 : align[i] !== "r")
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}
