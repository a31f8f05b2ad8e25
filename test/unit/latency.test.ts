import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { bucketEstimate, bucketOf, bucketSql, exactPercentile, histogramPercentile, LATENCY_BUCKETS } from "../../src/services/tracker/latency"

describe("latency histogram", () => {
  it("puts a value in the same bucket in TypeScript and in SQLite", () => {
    const db = new Database(":memory:")
    try {
      const sql = db.prepare(`SELECT ${bucketSql("@ms")} AS b`)
      for (const ms of [0, 0.2, 0.999, 1, 1.3, 1.36, 2, 17, 99.5, 800, 1000, 4321, 60_000, 240_000, 1e7]) {
        expect((sql.get({ ms }) as { b: number }).b, `bucket of ${ms}`).toBe(bucketOf(ms))
      }
    } finally {
      db.close()
    }
    expect(bucketOf(1e9)).toBe(LATENCY_BUCKETS - 1)
  })

  it("estimates any value in a bucket within 17%", () => {
    for (const ms of [1, 3, 50, 999, 12_345, 200_000]) {
      expect(Math.abs(bucketEstimate(bucketOf(ms)) / ms - 1)).toBeLessThan(0.17)
    }
  })

  it("takes nearest-rank percentiles, exactly from values and approximately from a histogram", () => {
    const values = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 5000]
    expect(exactPercentile(values, 50)).toBe(600)
    expect(exactPercentile(values, 95)).toBe(5000)
    expect(exactPercentile([], 50)).toBeNull()
    const histogram: Record<string, number> = {}
    for (const v of values) histogram[bucketOf(v)] = (histogram[bucketOf(v)] ?? 0) + 1
    expect(histogramPercentile(histogram, 50)! / 600).toBeCloseTo(1, 0)
    expect(Math.abs(histogramPercentile(histogram, 95)! / 5000 - 1)).toBeLessThan(0.17)
    expect(histogramPercentile({}, 50)).toBeNull()
  })
})
