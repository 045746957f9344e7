"""Supervised fine-tuning with TRL's SFTTrainer, as RepoTune's SFT stage does: data/sft.jsonl in
TRL's prompt-completion form (fill-in-the-middle samples in PSM order, docstring and commit
samples), the loss on completion tokens only, LoRA over the frozen base with the run's settings.
With --data pretrain it is continued pretraining instead, on whole files (data/pretrain.jsonl).

    accelerate launch --config_file accelerate/single-gpu.yaml sft.py
"""
from __future__ import annotations

import common

STAGE = "sft"


def build_parser():
    p = common.base_parser(STAGE, __doc__)
    p.add_argument("--data", choices=["sft", "pretrain"], default="sft", help="which exported file to train on")
    return p


def load_data(args):
    """The rows SFTTrainer takes: prompt/completion, or text for continued pretraining."""
    columns = ["prompt", "completion"] if args.data == "sft" else ["text"]
    return common.load_split(args.data_dir, args.data, columns, args.limit)


def main(argv=None):
    args = build_parser().parse_args(argv)
    settings = common.load_settings(args.settings)
    stage = args.data  # outputs/sft or outputs/pretrain
    common.apply_settings(args, settings, stage)
    train = load_data(args)

    from trl import SFTConfig, SFTTrainer

    # SFT continues from continued pretraining when that ran here, as the RepoTune run does.
    start = common.start_model(args, settings, after=["pretrain"] if stage == "sft" else [])
    tokenizer = common.load_tokenizer(start)
    peft_config = common.lora_config(settings, args)
    config = SFTConfig(
        **common.training_kwargs(args, settings),
        max_length=args.max_length,
        packing=False,
        # Only the completion is learned from; the prompt is context (TRL's prompt-completion mode).
        completion_only_loss=True if args.data == "sft" else None,
        dataset_text_field="text",
    )
    trainer = SFTTrainer(
        model=common.load_causal_lm(start),
        args=config,
        train_dataset=train,
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    trainer.train()
    common.save(trainer, tokenizer, args, settings, stage, start, lora=peft_config is not None)


if __name__ == "__main__":
    main()
