// The engine's hand-written ops against plain tfjs autodiff and float64 arithmetic, and the
// patched wasm kernels against the cpu backend's.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../../src/engine/backends/select";
import { targetLogProbs } from "../../../../src/engine/ops/cross-entropy";
import { linear, matMulNN } from "../../../../src/engine/ops/linear";
import { rmsNorm } from "../../../../src/engine/ops/rmsnorm";
import { swiglu } from "../../../../src/engine/ops/swiglu";
import { seededRandom, normalArray } from "../../../../src/core/random/seeded-random";

const rand = seededRandom(42);
const randn = (shape: number[], std = 1) => tf.tensor(normalArray(shape.reduce((a, b) => a * b, 1), std, rand), shape);

function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string): void {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  assert.ok(d <= tol, `${what}: max difference ${d}`);
}

describe("engine ops on wasm", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  it("log-probs stay exact for extreme logits (no underflow), and ignore -100 targets", () => {
    const logits = tf.tensor2d([[0, 200, -300, 5], [1, 2, 3, 4], [9, 9, 9, 9]]);
    const lp = targetLogProbs(logits, Int32Array.from([2, 3, -100])).dataSync();
    const exact = (row: number[], t: number) => {
      const m = Math.max(...row);
      return row[t]! - m - Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    };
    assert.ok(Math.abs(lp[0]! - exact([0, 200, -300, 5], 2)) < 1e-3, `${lp[0]}`);
    assert.ok(Math.abs(lp[1]! - exact([1, 2, 3, 4], 3)) < 1e-6);
    assert.ok(lp[2] === 0, "ignored target gives 0");
    assert.throws(() => targetLogProbs(logits, Int32Array.from([4, 0, 0])), /outside the vocabulary/);
  });

  it("hand-written gradients equal tfjs autodiff of the plain formulas", () => {
    const x = randn([6, 5]);
    const w = randn([4, 5]);
    const b = randn([4]);
    const g = randn([6, 4]);
    const ours = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(linear(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), g)));
    const plain = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(xi, wi, false, true), bi), g)));
    const [a, c] = [ours([x, w, b]), plain([x, w, b])];
    a.forEach((t, i) => close(t, c[i]!, 1e-5, `linear grad ${i}`));

    const m2 = randn([5, 3]);
    const [p1, p2] = [tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(matMulNN(u as tf.Tensor2D, v as tf.Tensor2D))))([x, m2]), tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(tf.matMul(u, v))))([x, m2])];
    p1.forEach((t, i) => close(t, p2[i]!, 1e-4, `matMulNN grad ${i}`));

    const nw = randn([5]);
    const up = randn([6, 5]);
    const rn = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(rmsNorm(xi as tf.Tensor2D, wi as tf.Tensor1D, 1e-6), up)));
    const rp = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.mul(xi, tf.rsqrt(tf.add(tf.mean(tf.square(xi), -1, true), 1e-6))), wi), up)));
    const [r1, r2] = [rn([x, nw]), rp([x, nw])];
    r1.forEach((t, i) => close(t, r2[i]!, 1e-4, `rmsNorm grad ${i}`));

    const gate = randn([6, 5]);
    const u = randn([6, 5]);
    const s1 = tf.grads((gi: tf.Tensor, ui: tf.Tensor) => tf.sum(tf.mul(swiglu(gi as tf.Tensor2D, ui as tf.Tensor2D), up)))([gate, u]);
    const s2 = tf.grads((gi: tf.Tensor, ui: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.mul(gi, tf.sigmoid(gi)), ui), up)))([gate, u]);
    s1.forEach((t, i) => close(t, s2[i]!, 1e-5, `swiglu grad ${i}`));
  });

  it("patched Slice / Unpack / SplitV / Identity give the cpu backend's answers", async () => {
    const x = randn([3, 4, 5, 6]);
    const data = x.dataSync().slice();
    const cases = (t: tf.Tensor) => [
      tf.slice(t, [1, 0, 0, 0], [1, 4, 5, 6]),
      tf.slice(t, [0, 1, 2, 3], [3, 2, 3, 2]),
      tf.slice(t, [2, 3, 4, 5], [1, 1, 1, 1]),
      ...tf.unstack(t, 1),
      ...tf.split(t, [2, 4], 3),
      tf.clone(t),
      ...tf.unstack(tf.reshape(t, [12, 30])),
      tf.transpose(t, [0, 1, 3, 2]),
    ];
    const wasm = cases(x).map((t) => Array.from(t.dataSync()));
    await selectBackend("cpu");
    const xc = tf.tensor(data, [3, 4, 5, 6]);
    const cpu = cases(xc).map((t) => Array.from(t.dataSync()));
    await selectBackend("wasm");
    assert.deepEqual(wasm, cpu);
  });
});
