"""Reinforcement learning from the exported reward model with TRL's RLOOTrainer (REINFORCE
leave-one-out, as RepoTune's RL stage does: k completions a prompt, each one's advantage its
reward minus the mean of the others, a KL penalty to the reference), or GRPOTrainer with
--trainer grpo. Prompts are the editor places of data/preferences.jsonl, then those of
data/sft.jsonl, each once. Starts from the DPO output, else the SFT output, else the base.

    accelerate launch --config_file accelerate/single-gpu.yaml rloo.py --reward-model ../reward-model
"""
from __future__ import annotations

import os
import sys

import common

STAGE = "rl"


def build_parser():
    p = common.base_parser(STAGE, __doc__)
    p.add_argument("--trainer", choices=["rloo", "grpo"], default="rloo")
    p.add_argument("--reward-model", help="a sequence-classification model with one output (default: settings rl.reward_model)")
    p.add_argument("--num-generations", type=int, help="completions sampled per prompt")
    p.add_argument("--max-completion-length", type=int, help="tokens generated per completion")
    p.add_argument("--beta", type=float, help="KL coefficient (0: no reference model is loaded)")
    return p


def load_data(args):
    """Prompt-only rows, as RLOOTrainer and GRPOTrainer take them."""
    import datasets

    prompts, seen = [], set()
    for name in ("preferences", "sft"):
        path = os.path.join(args.data_dir, f"{name}.jsonl")
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            continue
        for row in common.load_split(args.data_dir, name, ["prompt"]):
            if row["prompt"] not in seen:
                seen.add(row["prompt"])
                prompts.append({"prompt": row["prompt"]})
    if not prompts:
        sys.exit(f"no prompts in {args.data_dir}/preferences.jsonl or sft.jsonl")
    return datasets.Dataset.from_list(prompts[: args.limit] if args.limit else prompts)


def main(argv=None):
    args = build_parser().parse_args(argv)
    settings = common.load_settings(args.settings)
    common.apply_settings(args, settings, STAGE)
    rl = settings["rl"]
    reward_model = args.reward_model or common.resolve(settings, rl["reward_model"])
    if os.path.isabs(reward_model) and not os.path.isdir(reward_model):
        sys.exit(f"no reward model at {reward_model}: pass --reward-model (see README.md, 'The reward model')")
    train = load_data(args)

    if args.trainer == "grpo":
        from trl import GRPOConfig as Config, GRPOTrainer as Trainer
    else:
        from trl import RLOOConfig as Config, RLOOTrainer as Trainer

    start = common.start_model(args, settings, after=["dpo", "sft", "pretrain"])
    tokenizer = common.load_tokenizer(start)
    peft_config = common.lora_config(settings, args)
    config = Config(
        **common.training_kwargs(args, settings),
        num_generations=args.num_generations or rl["num_generations"],
        max_completion_length=args.max_completion_length or rl["max_completion_length"],
        beta=args.beta if args.beta is not None else rl["beta"],
        temperature=rl["temperature"],
    )
    trainer = Trainer(
        model=common.load_causal_lm(start),
        # A path: TRL loads it as AutoModelForSequenceClassification with num_labels=1.
        reward_funcs=[reward_model],
        args=config,
        train_dataset=train,
        processing_class=tokenizer,
        reward_processing_classes=[common.load_tokenizer(reward_model)],
        peft_config=peft_config,
    )
    trainer.train()
    common.save(trainer, tokenizer, args, settings, STAGE, start, lora=peft_config is not None)


if __name__ == "__main__":
    main()
