// Hands out example indices micro-batch by micro-batch, epoch after epoch, each epoch in its
// own seeded order. Its whole state is (epoch, offset): that is the "data position" a
// checkpoint stores. An epoch's tail too short for a micro-batch is skipped (drop_last), so
// every micro-batch has the same size and the same shape.
import { epochPermutation } from "./seeds";

export interface DataPosition {
  epoch: number;
  /** Examples of this epoch already handed out. */
  offset: number;
}

export class EpochSampler {
  private order: Uint32Array | undefined;
  private orderEpoch = -1;
  private pos: DataPosition = { epoch: 0, offset: 0 };
  /** Examples per micro-batch (the requested size, capped at the dataset's size). */
  readonly batchSize: number;

  constructor(
    readonly size: number,
    batchSize: number,
    private readonly seed: number,
    private readonly shuffle = true,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`the training data is empty (${size} examples)`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`micro-batch size must be a positive integer, got ${batchSize}`);
    this.batchSize = Math.min(batchSize, size);
  }

  get position(): DataPosition {
    return { ...this.pos };
  }

  set position(p: DataPosition) {
    if (!Number.isInteger(p.epoch) || p.epoch < 0 || !Number.isInteger(p.offset) || p.offset < 0 || p.offset > this.size) {
      throw new Error(`data position ${JSON.stringify(p)} is not within a dataset of ${this.size} examples`);
    }
    this.pos = { ...p };
  }

  /** Epochs done, fractional (as Hugging Face's trainer_state.json reports it). */
  get epochProgress(): number {
    return this.pos.epoch + this.pos.offset / this.size;
  }

  next(): number[] {
    if (this.pos.offset + this.batchSize > this.size) this.pos = { epoch: this.pos.epoch + 1, offset: 0 };
    const order = this.orderFor(this.pos.epoch);
    const out = Array.from(order.subarray(this.pos.offset, this.pos.offset + this.batchSize));
    this.pos = { epoch: this.pos.epoch, offset: this.pos.offset + this.batchSize };
    return out;
  }

  private orderFor(epoch: number): Uint32Array {
    if (this.orderEpoch !== epoch || !this.order) {
      this.order = this.shuffle ? epochPermutation(this.seed, epoch, this.size) : Uint32Array.from({ length: this.size }, (_, i) => i);
      this.orderEpoch = epoch;
    }
    return this.order;
  }
}
