"""Distillation with TRL's GKDTrainer, as RepoTune's distill stage does: a student learns the
teacher's next-token distributions on data/sft.jsonl. The teacher is the newest model trained
here (RL, else DPO, else SFT output); the student is --student, else settings distill.student,
else the base (a smaller member of the same family, sharing the tokenizer, serves fastest).
The defaults match the RepoTune run: forward KL (beta 0) on the dataset's completions
(lmbda 0); --lmbda 0.5 also trains on the student's own samples (on-policy, as GKD proposes).

    accelerate launch --config_file accelerate/single-gpu.yaml gkd.py --student Qwen/Qwen2.5-Coder-0.5B
"""
from __future__ import annotations

import common

STAGE = "distill"


def build_parser():
    p = common.base_parser(STAGE, __doc__)
    p.add_argument("--teacher", help="the model distilled from (default: the newest output here)")
    # --model names nothing here: a distillation has two models, --teacher and --student.
    p.add_argument("--student", help="the model trained (default: settings distill.student, else the base)")
    p.add_argument("--lmbda", type=float, help="share of steps on the student's own samples")
    p.add_argument("--beta", type=float, help="generalized JSD: 0 forward KL, 1 reverse KL")
    return p


def load_data(args):
    """prompt/completion rows; the collator below tokenizes them (GKD skips SFT's preparation)."""
    return common.load_split(args.data_dir, "sft", ["prompt", "completion"], args.limit)


class PromptCompletionCollator:
    """What GKDTrainer reads from a batch (input_ids, attention_mask, labels with the prompt
    masked, and the prompt alone for on-policy sampling), left-padded, from prompt/completion
    rows. TRL's own collator wants chat messages, which FIM prompts are not."""

    def __init__(self, tokenizer, max_length: int):
        self.tokenizer = tokenizer
        self.max_length = max_length

    def _encode(self, row):
        prompt = self.tokenizer(row["prompt"], add_special_tokens=False)["input_ids"]
        completion = self.tokenizer(row["completion"], add_special_tokens=False)["input_ids"]
        if self.tokenizer.eos_token_id is not None:
            completion = completion + [self.tokenizer.eos_token_id]
        completion = completion[: self.max_length - 1]
        # Too long: the prompt loses its start (the text farthest from the cursor), never all of it.
        prompt = prompt[-(self.max_length - len(completion)):]
        return prompt, completion

    def __call__(self, rows):
        import torch

        pad = self.tokenizer.pad_token_id
        encoded = [self._encode(r) for r in rows]
        width = max(len(p) + len(c) for p, c in encoded)
        prompt_width = max(len(p) for p, _ in encoded)
        batch = {k: [] for k in ("input_ids", "attention_mask", "labels", "prompts", "prompt_attention_mask")}
        for prompt, completion in encoded:
            ids = prompt + completion
            gap, prompt_gap = width - len(ids), prompt_width - len(prompt)
            batch["input_ids"].append([pad] * gap + ids)
            batch["attention_mask"].append([0] * gap + [1] * len(ids))
            batch["labels"].append([-100] * (gap + len(prompt)) + completion)
            batch["prompts"].append([pad] * prompt_gap + prompt)
            batch["prompt_attention_mask"].append([0] * prompt_gap + [1] * len(prompt))
        return {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}


def _gkd():
    # GKD moved to trl.experimental in TRL 0.26 and left the top level in 1.0.
    try:
        from trl.experimental.gkd import GKDConfig, GKDTrainer
    except ImportError:
        from trl import GKDConfig, GKDTrainer
    return GKDConfig, GKDTrainer


def main(argv=None):
    args = build_parser().parse_args(argv)
    settings = common.load_settings(args.settings)
    common.apply_settings(args, settings, STAGE)
    distill = settings["distill"]
    train = load_data(args)

    GKDConfig, GKDTrainer = _gkd()
    teacher = args.teacher or common.newest_output(settings, ["rl", "dpo", "sft", "pretrain"]) or common.resolve(settings, settings["model"])
    student = args.student or common.resolve(settings, distill.get("student")) or common.resolve(settings, settings["model"])
    print(f"distilling {teacher} into {student}")
    tokenizer = common.load_tokenizer(student)
    peft_config = common.lora_config(settings, args)
    config = GKDConfig(
        **common.training_kwargs(args, settings),
        max_length=args.max_length,
        temperature=distill["temperature"],
        lmbda=args.lmbda if args.lmbda is not None else distill["lmbda"],
        beta=args.beta if args.beta is not None else distill["beta"],
        max_new_tokens=distill["max_new_tokens"],
    )
    trainer = GKDTrainer(
        model=common.load_causal_lm(student),
        teacher_model=common.load_causal_lm(teacher),
        args=config,
        data_collator=PromptCompletionCollator(tokenizer, args.max_length),
        train_dataset=train,
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    trainer.train()
    common.save(trainer, tokenizer, args, settings, STAGE, student, lora=peft_config is not None)


if __name__ == "__main__":
    main()
