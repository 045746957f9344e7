// Learning rate per optimizer step: linear warm-up to the peak, then cosine decay to a floor.
// Warm-up uses (s + 1) / (warmup + 1) rather than Hugging Face's s / warmup so the first step
// is never taken at lr 0 (a wasted step, and a long one on a CPU).

export interface LrSchedule {
  peakLr: number;
  /** The floor the cosine decays to (HF's min_lr; 0 for plain cosine). */
  minLr: number;
  warmupSteps: number;
  /** Optimizer steps of the whole run: the cosine reaches minLr here and stays there. */
  totalSteps: number;
}

export function validateSchedule(s: LrSchedule): void {
  const bad = (what: string) => new Error(`learning-rate schedule: ${what}`);
  if (!(s.peakLr > 0) || !Number.isFinite(s.peakLr)) throw bad(`peak lr must be positive, got ${s.peakLr}`);
  if (!(s.minLr >= 0 && s.minLr <= s.peakLr)) throw bad(`min lr must be in [0, peak lr], got ${s.minLr}`);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0) throw bad(`warm-up steps must be a whole number >= 0, got ${s.warmupSteps}`);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1) throw bad(`total steps must be a whole number >= 1, got ${s.totalSteps}`);
}

/** The learning rate of optimizer step `step` (0 = the first update). */
export function learningRateAt(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / (s.warmupSteps + 1);
  const decaySteps = s.totalSteps - s.warmupSteps;
  if (decaySteps <= 0 || step >= s.totalSteps) return s.minLr + (decaySteps <= 0 ? s.peakLr - s.minLr : 0);
  const progress = (step - s.warmupSteps) / decaySteps;
  return s.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (s.peakLr - s.minLr);
}
