/** A fixed-capacity buffer that keeps the newest `capacity` items; iteration and `last` go oldest first. */
export class RingBuffer<A> implements Iterable<A> {
  private readonly items: Array<A | undefined>
  private next = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`)
    this.items = new Array<A | undefined>(capacity)
  }

  get size(): number {
    return this.count
  }

  push(item: A): void {
    this.items[this.next] = item
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1
    if (this.count < this.capacity) this.count++
  }

  clear(): void {
    this.items.fill(undefined)
    this.next = 0
    this.count = 0
  }

  /** the newest `n` items, oldest first */
  last(n: number): Array<A> {
    const take = Math.max(0, Math.min(Math.floor(n), this.count))
    const out = new Array<A>(take)
    let index = (this.next - take + this.capacity) % this.capacity
    for (let i = 0; i < take; i++) {
      out[i] = this.items[index] as A
      index = index + 1 === this.capacity ? 0 : index + 1
    }
    return out
  }

  *[Symbol.iterator](): Iterator<A> {
    yield* this.last(this.count)
  }
}
