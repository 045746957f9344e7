"""Direct preference optimisation with TRL's DPOTrainer, as RepoTune's DPO stage does: the pairs of
data/preferences.jsonl (prompt/chosen/rejected: what the editor's user accepted over what they
rejected, and synthetic pairs), sigmoid loss with the run's beta, starting from the SFT output.
With LoRA the frozen reference is the starting model itself (the adapter switched off).

    accelerate launch --config_file accelerate/single-gpu.yaml dpo.py
"""
from __future__ import annotations

import common

STAGE = "dpo"


def build_parser():
    p = common.base_parser(STAGE, __doc__)
    p.add_argument("--beta", type=float, help="DPO's beta (default: the run's)")
    return p


def load_data(args):
    """The rows DPOTrainer takes: TRL's standard preference form."""
    return common.load_split(args.data_dir, "preferences", ["prompt", "chosen", "rejected"], args.limit)


def main(argv=None):
    args = build_parser().parse_args(argv)
    settings = common.load_settings(args.settings)
    common.apply_settings(args, settings, STAGE)
    train = load_data(args)

    from trl import DPOConfig, DPOTrainer

    start = common.start_model(args, settings, after=["sft", "pretrain"])
    tokenizer = common.load_tokenizer(start)
    peft_config = common.lora_config(settings, args)
    config = DPOConfig(
        **common.training_kwargs(args, settings),
        beta=args.beta if args.beta is not None else settings["dpo"]["beta"],
        max_length=args.max_length,
    )
    trainer = DPOTrainer(
        model=common.load_causal_lm(start),
        ref_model=None,
        args=config,
        train_dataset=train,
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    trainer.train()
    common.save(trainer, tokenizer, args, settings, STAGE, start, lora=peft_config is not None)


if __name__ == "__main__":
    main()
