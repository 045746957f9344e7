// The student starts from the teacher's own layers where shapes allow (DistilBERT): the same
// width, fewer layers, each student layer a copy of one teacher layer spread evenly over the
// depth (first and last always), plus the teacher's embeddings and final norm.
import type { Qwen2Config, WeightMap } from "./";

/** Which teacher layer each student layer copies: evenly spaced, keeping the first and last. */
export function studentLayerMap(teacherLayers: number, studentLayers: number): number[] {
  if (!(studentLayers >= 1 && studentLayers <= teacherLayers)) {
    throw new Error(`the student needs between 1 and ${teacherLayers} layers (the teacher's), got ${studentLayers}`);
  }
  if (studentLayers === 1) return [teacherLayers - 1];
  return Array.from({ length: studentLayers }, (_, i) => Math.round((i * (teacherLayers - 1)) / (studentLayers - 1)));
}

/** Half the teacher's layers (rounded up): the default student. */
export const defaultStudentLayers = (teacherLayers: number): number => Math.max(1, Math.ceil(teacherLayers / 2));

export function studentFromTeacher(config: Qwen2Config, weights: WeightMap, studentLayers: number): { config: Qwen2Config; weights: WeightMap; layerMap: number[] } {
  const layerMap = studentLayerMap(config.num_hidden_layers, studentLayers);
  const out: WeightMap = new Map();
  for (const [name, t] of weights) {
    const m = /^model\.layers\.(\d+)\.(.*)$/.exec(name);
    if (!m) {
      out.set(name, t);
      continue;
    }
    const teacherLayer = Number(m[1]);
    layerMap.forEach((from, to) => {
      // Copied, not shared: the student trains its own.
      if (from === teacherLayer) out.set(`model.layers.${to}.${m[2]}`, { shape: t.shape, data: new Float32Array(t.data) });
    });
  }
  return { config: { ...config, num_hidden_layers: studentLayers }, weights: out, layerMap };
}
