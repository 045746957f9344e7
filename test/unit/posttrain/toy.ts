// A toy tokenizer and Qwen2 model for the post-training unit tests: real classes, tiny sizes.
import { trainBpe, type Tokenizer } from "../../../src/core/tokenizer";
import { makeQwen2Config, Qwen2Model } from "../../../src/engine/model";

export const TOY_CODE = [
  "export function addOne(a: number): number {\n  return a + 1;\n}\n",
  "export function subTwo(b: number): number {\n  return b - 2;\n}\n",
  "const total = items.reduce((sum, item) => sum + item.price, 0);\n",
  "class Box {\n  constructor(readonly size: number) {}\n  get area(): number {\n    return this.size * this.size;\n  }\n}\n",
];

let cached: Tokenizer | undefined;
export async function toyTokenizer(): Promise<Tokenizer> {
  cached ??= await trainBpe(TOY_CODE, { vocabSize: 300 });
  return cached;
}

export function toyModel(tok: Tokenizer, seed = 1, layers = 2, context = 96): Qwen2Model {
  return Qwen2Model.create(
    makeQwen2Config({
      vocab_size: tok.vocabSize,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: layers,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: context,
      // A larger init than transformers' 0.02, so the toy model's distributions are not flat.
      initializer_range: 0.2,
    }),
    { seed },
  );
}
