// Every random choice of a run derives from the run's seed and a counter (epoch for the data
// order, step and micro-batch for dropout), never from a stream that advances: resuming at
// step N then needs only the seed and N, and gives the same numbers as a run that never stopped.
import { hashSeed, seededRandom } from "../../core/random/seeded-random";

/** Names the derivation, recorded in trainer_state.json so a future change is detected. */
export const RNG_ALGORITHM = "seededRandom(fnv1a(seed, purpose))";

export function dropoutSeed(runSeed: number, step: number, micro: number): number {
  return hashSeed(runSeed, `dropout/${step}/${micro}`);
}

/** The order of the examples in epoch `epoch`: a Fisher-Yates shuffle seeded per epoch. */
export function epochPermutation(runSeed: number, epoch: number, size: number): Uint32Array {
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  const rand = seededRandom(hashSeed(runSeed, `data-order/${epoch}`));
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
