// The model's public API: what the trainer, objectives, checkpoints and LoRA build on.
export {
  ConfigError,
  countParameters,
  hasQkvBias,
  headDim,
  isWeightDecayed,
  makeQwen2Config,
  parameterShapes,
  parseQwen2Config,
  trainingFlopsPerToken,
  type Qwen2Config,
  type Qwen2ConfigInput,
} from "../../core/formats/qwen2-config";
export { checkWeights, initialWeights, WeightsError, type HostTensor, type WeightMap } from "./weights";
export {
  lossWeights,
  makeLmBatch,
  Qwen2Model,
  type ForwardOptions,
  type KvCache,
  type LmBatch,
  type LossAndGrads,
  type LossOptions,
  type ProjectionAdapter,
  type TokenBatch,
} from "./qwen2";
export { IGNORE_INDEX } from "../ops/cross-entropy";
export { linear, matMulNN } from "../ops/linear";
