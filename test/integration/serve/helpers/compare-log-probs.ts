// How close two models' log-probabilities are, position by position, as the serving tests judge it.

/**
 * Over the entries that carry probability (p > 1e-3: what sampling and ranking see), the largest
 * |Δ log p|; the mean KL(ours || theirs) per position; the share of positions with the same argmax.
 */
export function compareLogProbs(ours: Float64Array[], theirs: Float64Array[]): { worst: number; meanKl: number; argmaxAgree: number } {
  let worst = 0, agree = 0, kl = 0;
  for (let pos = 0; pos < ours.length; pos++) {
    const a = ours[pos]!, b = theirs[pos]!;
    let argA = 0, argB = 0;
    for (let t = 0; t < a.length; t++) {
      if (a[t]! > a[argA]!) argA = t;
      if (b[t]! > b[argB]!) argB = t;
      if (a[t]! > Math.log(1e-3)) worst = Math.max(worst, Math.abs(a[t]! - b[t]!));
      // llama.cpp's float32 softmax underflows to -Infinity for the far tail; those carry no mass.
      if (Number.isFinite(b[t]!)) kl += Math.exp(a[t]!) * (a[t]! - b[t]!);
    }
    if (argA === argB) agree++;
  }
  return { worst, meanKl: kl / ours.length, argmaxAgree: agree / ours.length };
}
