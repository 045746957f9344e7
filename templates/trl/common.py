"""What every RepoTune TRL script shares: settings.json, command-line arguments, dataset loading,
the LoRA configuration and saving a model that `repotune import` takes back.

Nothing here imports torch, transformers, trl or peft at module level: the data loading and the
arguments can be checked (and are, by RepoTune's tests) on a machine that has none of them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SETTINGS_FORMAT = "repotune-trl-settings"


def load_settings(path: str | None = None) -> dict:
    """settings.json as RepoTune wrote it next to these scripts (or the file given)."""
    path = path or os.path.join(HERE, "settings.json")
    with open(path, encoding="utf-8") as f:
        settings = json.load(f)
    if settings.get("format") != SETTINGS_FORMAT:
        sys.exit(f"{path} is not a RepoTune TRL settings file (format {settings.get('format')!r})")
    settings["_dir"] = os.path.dirname(os.path.abspath(path))
    return settings


def resolve(settings: dict, ref: str | None) -> str | None:
    """A model or folder named in settings.json: "./x" and "../x" are relative to the settings
    file's folder; anything else (a Hugging Face hub id, an absolute path) is used as it is."""
    if ref and (ref.startswith("./") or ref.startswith("../")):
        return os.path.normpath(os.path.join(settings["_dir"], ref))
    return ref


def base_parser(stage: str, description: str | None) -> argparse.ArgumentParser:
    """Options every stage takes; None means "from settings.json" (see apply_settings)."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", help="settings.json (default: the one next to this script)")
    p.add_argument("--model", help="model to start from: a folder or a hub id (default: see settings.json)")
    p.add_argument("--data-dir", help="folder holding sft.jsonl, preferences.jsonl... (default: settings data_dir)")
    p.add_argument("--output-dir", help=f"where the trained model goes (default: outputs/{stage})")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--epochs", type=float, help="passes over the data (default: settings train.epochs)")
    p.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (overrides --epochs)")
    p.add_argument("--batch-size", type=int, help="rows per GPU per step")
    p.add_argument("--grad-accum", type=int, default=1, help="gradient accumulation steps")
    p.add_argument("--max-length", type=int, help="tokens per row (prompt + completion)")
    p.add_argument("--limit", type=int, help="use only the first N rows (a quick smoke test)")
    p.add_argument("--no-lora", action="store_true", help="train every weight instead of LoRA adapters")
    p.add_argument("--precision", choices=["auto", "bf16", "fp16", "fp32"], default="auto")
    p.add_argument("--gradient-checkpointing", action="store_true", help="less memory, slower steps")
    p.add_argument("--report-to", default="none", help="transformers' report_to: none, tensorboard, wandb...")
    p.add_argument("--seed", type=int)
    return p


def apply_settings(args: argparse.Namespace, settings: dict, stage: str) -> argparse.Namespace:
    """Fills every option left unset from settings.json: the run's own values, so a script
    trains as the RepoTune run did unless told otherwise."""
    train = settings["train"]
    own = settings.get(stage, {})
    if args.data_dir is None:
        args.data_dir = resolve(settings, settings["data_dir"])
    if args.output_dir is None:
        args.output_dir = os.path.join(resolve(settings, settings["output_dir"]), stage)
    if args.learning_rate is None:
        args.learning_rate = own.get("learning_rate", train["learning_rate"])
    if args.epochs is None:
        args.epochs = train["epochs"]
    if args.batch_size is None:
        args.batch_size = train["per_device_batch_size"]
    if args.max_length is None:
        args.max_length = train["max_length"]
    if args.seed is None:
        args.seed = train["seed"]
    return args


def newest_output(settings: dict, stages: list[str]) -> str | None:
    """The first of these stages' outputs (OUTPUT_DIR/<stage>) that holds a finished model."""
    for stage in stages:
        folder = os.path.join(resolve(settings, settings["output_dir"]), stage)
        if os.path.exists(os.path.join(folder, "config.json")):
            return folder
    return None


def start_model(args: argparse.Namespace, settings: dict, after: list[str]) -> str:
    """The model a stage starts from: --model, else the newest earlier stage's output that
    exists (DPO after SFT, as the RepoTune run does), else the base in settings.json."""
    return args.model or newest_output(settings, after) or resolve(settings, settings["model"])


def _rows(data_dir: str, name: str, limit: int | None):
    """One exported file as a `datasets` Dataset. An empty file is a clear error here:
    `datasets` fails on one with an unhelpful schema message."""
    import datasets

    path = os.path.join(data_dir, f"{name}.jsonl")
    if not os.path.exists(path):
        sys.exit(f"{path} does not exist: export again with repotune export --format trl")
    if os.path.getsize(path) == 0:
        sys.exit(f"{path} has no rows: the repository gave none for this stage")
    rows = datasets.load_dataset("json", data_files=path, split="train")
    if limit is not None and limit < len(rows):
        rows = rows.select(range(limit))
    return rows


def keep_columns(rows, columns: list[str]):
    """Only the columns a trainer reads: TRL tokenizes whatever else is there or trips on
    the nulls of optional columns (path, rejectedBy)."""
    missing = [c for c in columns if c not in rows.column_names]
    if missing:
        sys.exit(f"the dataset lacks the columns {missing} (it has {rows.column_names})")
    return rows.remove_columns([c for c in rows.column_names if c not in columns])


def load_split(data_dir: str, name: str, columns: list[str], limit: int | None = None):
    """data_dir/<name>.jsonl with only `columns`: what each script's load_data returns."""
    return keep_columns(_rows(data_dir, name, limit), columns)


def lora_kwargs(settings: dict) -> dict | None:
    """peft.LoraConfig's arguments from the run's LoRA settings; None for a run trained from
    scratch, whose every weight trained (and trains here too)."""
    lora = settings.get("lora")
    if not lora:
        return None
    return {
        "r": lora["r"],
        "lora_alpha": lora["lora_alpha"],
        "lora_dropout": lora["lora_dropout"],
        "target_modules": list(lora["target_modules"]),
        "use_rslora": bool(lora.get("use_rslora", False)),
        "bias": "none",
        "task_type": "CAUSAL_LM",
    }


def lora_config(settings: dict, args: argparse.Namespace):
    kwargs = None if args.no_lora else lora_kwargs(settings)
    if kwargs is None:
        return None
    from peft import LoraConfig

    return LoraConfig(**kwargs)


def training_kwargs(args: argparse.Namespace, settings: dict) -> dict:
    """transformers.TrainingArguments' common part (every TRL config extends it). Checkpoints
    go under OUTPUT_DIR/checkpoints; the finished model is written by save()."""
    train = settings["train"]
    kwargs = {
        "output_dir": os.path.join(args.output_dir, "checkpoints"),
        "learning_rate": args.learning_rate,
        "num_train_epochs": args.epochs,
        "max_steps": args.max_steps if args.max_steps is not None else -1,
        "per_device_train_batch_size": args.batch_size,
        "gradient_accumulation_steps": args.grad_accum,
        "warmup_steps": train["warmup_steps"],
        "lr_scheduler_type": "cosine",
        "logging_steps": 10,
        "save_strategy": "epoch",
        "save_total_limit": 2,
        "seed": args.seed,
        "report_to": args.report_to,
        "gradient_checkpointing": args.gradient_checkpointing,
    }
    kwargs.update(_precision(args.precision))
    return kwargs


def _precision(choice: str) -> dict:
    if choice == "auto":
        import torch

        if torch.cuda.is_available():
            choice = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            choice = "fp32"
    return {"bf16": choice == "bf16", "fp16": choice == "fp16"}


def _dtype_kwarg() -> str:
    # transformers 4.56 renamed from_pretrained's torch_dtype to dtype.
    import transformers

    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def load_causal_lm(ref: str):
    """A causal LM from a folder or hub id; a PEFT adapter folder is loaded on its base and
    merged, so the next stage's adapter (and DPO's frozen reference) sits on top of it."""
    kwargs = {_dtype_kwarg(): "auto"}
    if os.path.exists(os.path.join(ref, "adapter_config.json")):
        from peft import AutoPeftModelForCausalLM

        return AutoPeftModelForCausalLM.from_pretrained(ref, **kwargs).merge_and_unload()
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(ref, **kwargs)


def load_tokenizer(ref: str):
    """The model's own tokenizer (it knows the FIM tokens); batches need a pad token, and a
    base model's is often unset: the end-of-text token then pads."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(ref)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def save(trainer, tokenizer, args: argparse.Namespace, settings: dict, stage: str, start: str, lora: bool) -> None:
    """OUTPUT_DIR ends up a whole Hugging Face model folder (LoRA merged into the model it
    started from), which the next stage starts from and `repotune import OUTPUT_DIR` reads;
    the adapter itself is kept in OUTPUT_DIR/adapter."""
    target = os.path.join(args.output_dir, "adapter") if lora else args.output_dir
    trainer.save_model(target)
    trainer.accelerator.wait_for_everyone()
    if not trainer.is_world_process_zero():
        return
    if lora:
        # Merged on the main process from the saved adapter: under ZeRO-3 the live model's
        # weights are partitioned across GPUs and cannot be merged in place.
        from peft import PeftModel

        merged = PeftModel.from_pretrained(load_causal_lm(start), target).merge_and_unload()
        merged.save_pretrained(args.output_dir)  # safetensors: the default since transformers 4.35, the only format in 5
    tokenizer.save_pretrained(args.output_dir)
    record = {
        "format": "repotune-trl-output",
        "stage": stage,
        "started_from": start,
        "lora": lora_kwargs(settings) if lora else None,
        "adapter": "adapter" if lora else None,
        "run_id": settings.get("run_id"),
    }
    with open(os.path.join(args.output_dir, "repotune-trl.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
    print(f"{stage}: model written to {args.output_dir}; bring it back with: repotune import {args.output_dir}")
