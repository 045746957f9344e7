import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignForDrawing } from "../../../webview/dashboard/model/chart-data";
import { downsampleMinMax } from "../../../webview/dashboard/model/downsample";

function noisy(n: number): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  let a = 12345;
  for (let i = 0; i < n; i++) {
    a = (a * 1103515245 + 12345) % 2147483648;
    xs.push(i + 1);
    ys.push(3 * Math.exp(-i / n) + (a / 2147483648 - 0.5) * 0.2);
  }
  return { xs, ys };
}

describe("dashboard downsampler", () => {
  it("bounds 100,000 points to 2 per bucket and keeps every extreme", () => {
    const { xs, ys } = noisy(100_000);
    ys[31_337] = 50; // a loss spike
    ys[77_777] = -5; // a dip
    const started = performance.now();
    const kept = downsampleMinMax(xs, ys, 400);
    const ms = performance.now() - started;
    assert.ok(kept.length <= 2 * 400 + 2, `kept ${kept.length}`);
    assert.ok(kept.length >= 400);
    assert.ok(kept.includes(31_337), "the spike survives");
    assert.ok(kept.includes(77_777), "the dip survives");
    assert.equal(kept[0], 0);
    assert.equal(kept[kept.length - 1], 99_999);
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i]! > kept[i - 1]!, "ascending, no duplicates");
    // Every bucket's min and max survive: the drawn envelope equals the real one.
    const buckets = 400;
    const bucketOf = (i: number) => Math.min(buckets - 1, Math.floor((i / 99_999) * buckets));
    const keptSet = new Set(kept);
    const min = new Array<number>(buckets).fill(Infinity);
    const max = new Array<number>(buckets).fill(-Infinity);
    for (let i = 0; i < ys.length; i++) {
      const b = bucketOf(i);
      min[b] = Math.min(min[b]!, ys[i]!);
      max[b] = Math.max(max[b]!, ys[i]!);
    }
    const seenMin = new Array<boolean>(buckets).fill(false);
    const seenMax = new Array<boolean>(buckets).fill(false);
    for (const i of keptSet) {
      const b = bucketOf(i);
      if (ys[i] === min[b]) seenMin[b] = true;
      if (ys[i] === max[b]) seenMax[b] = true;
    }
    assert.ok(seenMin.every(Boolean) && seenMax.every(Boolean), "each bucket keeps its min and max");
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  });

  it("returns short series whole and skips gaps", () => {
    assert.deepEqual(downsampleMinMax([1, 2, 3], [5, NaN, 7], 100), [0, 2]);
    assert.deepEqual(downsampleMinMax([], [], 10), []);
    assert.deepEqual(downsampleMinMax([1, 2], [NaN, NaN], 10), []);
  });

  it("handles a stalled x (every point at one step) by position", () => {
    const n = 10_000;
    const kept = downsampleMinMax(new Array(n).fill(5), Array.from({ length: n }, (_, i) => Math.sin(i)), 50);
    assert.ok(kept.length <= 102);
  });

  it("aligns several thinned series on one sorted x axis with nulls between", () => {
    const [xs, a, b] = alignForDrawing(
      [
        { label: "a", stage: "pretrain", xs: [1, 2, 3], ys: [10, 20, 30] },
        { label: "b", stage: "sft", xs: [2, 4], ys: [7, 8], points: true },
      ],
      100,
    );
    assert.deepEqual(xs, [1, 2, 3, 4]);
    assert.deepEqual(a, [10, 20, 30, null]);
    assert.deepEqual(b, [null, 7, null, 8]);
  });

  it("keeps the drawn point count bounded for a 100,000-step run across stages", () => {
    const { xs, ys } = noisy(100_000);
    const specs = [0, 1, 2, 3].map((k) => ({ label: `s${k}`, stage: null, xs: xs.slice(k * 25_000, (k + 1) * 25_000), ys: ys.slice(k * 25_000, (k + 1) * 25_000) }));
    const [ax] = alignForDrawing(specs, 300);
    assert.ok(ax.length <= 4 * (2 * 300 + 2), `${ax.length} rows`);
  });
});
