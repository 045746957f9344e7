// `repotune export --format trl` on a real gathered repository: the exported folder's Python
// scripts compile, its accelerate configurations parse with the keys accelerate reads, its
// settings are the run's (as the pipeline computes them), and every script's data loading runs
// on the exported files, with a stand-in for `datasets` where the real one is not installed and
// without importing torch, transformers, trl or peft.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gatherDataset } from "../../../src/core/gather/gather";
import { getPreset, fitPresetToMinutes } from "../../../src/core/presets";
import { datasetPaths } from "../../../src/core/store/dataset-files";
import { markLatest, runLayout } from "../../../src/core/runs/run-layout";
import { DEFAULT_TARGET_MODULES } from "../../../src/core/formats/lora-config";
import { exportTrlFolder, trlTemplatesDir } from "../../../src/core/formats/trl/export-trl";
import { guessHubId } from "../../../src/core/formats/hub-id";
import { trlSourceFromRun } from "../../../src/core/runs/trl-source";
import { DEFAULT_TRL_LORA, trlSettings, type TrlSettings } from "../../../src/core/formats/trl/trl-settings";
import { posttrainOptions } from "../../../src/pipeline/stages/preset-options";
import { RUN_SEED } from "../../../src/pipeline/stages/training-options";
import { createFixtureRepo } from "../../fixtures/gather/fixture-repo";

const PYTHON = "/usr/bin/python3";
const hasPython = spawnSync(PYTHON, ["--version"]).status === 0;
const noPython = hasPython ? false : `${PYTHON} is not installed`;
const root = mkdtempSync(join(tmpdir(), "repotune-trlexport-"));
let repo = "";
const dataset = join(root, "dataset");
const out = join(root, "trl");
const HUB_BASE = "/home/u/.cache/huggingface/hub/models--Qwen--Qwen2.5-Coder-0.5B/snapshots/0123abcd";
after(() => {
  rmSync(root, { recursive: true, force: true });
  if (repo) rmSync(dirname(repo), { recursive: true, force: true });
});

function python(args: string[], env: Record<string, string> = {}, cwd = out): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(PYTHON, args, { cwd, encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env } });
}

before(async () => {
  repo = createFixtureRepo().dir;
  await gatherDataset({ repo, datasetDir: dataset });
  // Gathering writes no preference pairs (the editor does): two, one sharing an SFT prompt.
  const sftPrompt = (JSON.parse(readFileSync(datasetPaths(dataset).sft, "utf8").split("\n")[0]!) as { prompt: string }).prompt;
  for (const [prompt, chosen, rejected] of [[sftPrompt, "good()", "bad()"], ["<|fim_prefix|>a<|fim_suffix|>c<|fim_middle|>", "b", "x"]]) {
    appendFileSync(datasetPaths(dataset).preferences, `${JSON.stringify({ prompt, chosen, rejected, source: "editor", path: "src/a.ts" })}\n`);
  }
});

describe("TRL export", () => {
  const settings: TrlSettings = trlSettings({ preset: getPreset("tiny"), base: HUB_BASE, runId: "20260101-000000-abcd" });
  let files: string[] = [];

  it("writes the dataset, the templates and settings.json", () => {
    const r = exportTrlFolder({ datasetDir: dataset, outDir: out, settings });
    files = r.files;
    for (const f of ["README.md", "requirements.txt", "common.py", "sft.py", "dpo.py", "rloo.py", "gkd.py", "accelerate/single-gpu.yaml", "accelerate/multi-gpu.yaml", "accelerate/multi-node-zero2.yaml", "accelerate/multi-node-zero3.yaml", "slurm/launch.sbatch"]) {
      assert.ok(files.includes(f), `${f} is exported`);
      assert.ok(existsSync(join(out, f)), `${f} is on disk`);
    }
    assert.ok(files.every((f) => !f.includes("__pycache__")));
    assert.match(readFileSync(join(out, "README.md"), "utf8"), /repotune import OUTPUT_DIR/, "the folder's README says how to bring the result back");
    assert.match(readFileSync(join(out, "dataset", "README.md"), "utf8"), /a RepoTune dataset/, "the dataset keeps its card");
    assert.equal(r.dataset.configs.find((c) => c.config === "preferences")!.rows, 2);
    assert.deepEqual(JSON.parse(readFileSync(r.settingsFile, "utf8")), settings);
  });

  it("every script compiles", { skip: noPython }, () => {
    const scripts = files.filter((f) => f.endsWith(".py"));
    assert.ok(scripts.length >= 5);
    const r = python(["-m", "py_compile", ...scripts], {});
    assert.equal(r.status, 0, r.stderr);
  });

  it("every accelerate configuration parses and has what accelerate reads; the Slurm job is valid bash", { skip: noPython }, () => {
    const configs = files.filter((f) => f.endsWith(".yaml"));
    const r = python(["-c", "import json, sys, yaml; print(json.dumps({f: yaml.safe_load(open(f)) for f in sys.argv[1:]}))", ...configs]);
    assert.equal(r.status, 0, r.stderr);
    const parsed = JSON.parse(r.stdout) as Record<string, Record<string, unknown> & { deepspeed_config?: Record<string, unknown> }>;
    for (const [file, c] of Object.entries(parsed)) {
      for (const key of ["compute_environment", "distributed_type", "num_processes", "num_machines", "machine_rank", "mixed_precision"]) assert.ok(key in c, `${file}: ${key}`);
    }
    const get = (name: string) => parsed[`accelerate/${name}.yaml`]!;
    assert.equal(get("single-gpu").distributed_type, "NO");
    assert.equal(get("single-gpu").num_processes, 1);
    assert.equal(get("multi-gpu").distributed_type, "MULTI_GPU");
    for (const [name, stage] of [["multi-node-zero2", 2], ["multi-node-zero3", 3]] as const) {
      const c = get(name);
      assert.equal(c.distributed_type, "DEEPSPEED", name);
      assert.equal(c.deepspeed_config?.zero_stage, stage, name);
      assert.ok((c.num_machines as number) > 1 && (c.num_processes as number) >= (c.num_machines as number), name);
      assert.ok(typeof c.main_process_port === "number", `${name}: main_process_port`);
    }
    assert.equal(get("multi-node-zero3").deepspeed_config?.zero3_save_16bit_model, true, "ZeRO-3 saves whole weights");
    const bash = spawnSync("bash", ["-n", join(out, "slurm", "launch.sbatch")], { encoding: "utf8" });
    assert.equal(bash.status, 0, bash.stderr);
  });

  it("each script's data loading runs on the exported files without torch, transformers, trl or peft", { skip: noPython }, () => {
    // A stand-in for `datasets`: load_dataset("json", data_files=...) and the Dataset methods
    // the scripts use. Put first on the path, so it is what they import even where the real one is.
    const stub = join(root, "stub", "datasets");
    mkdirSync(stub, { recursive: true });
    writeFileSync(join(stub, "__init__.py"), STUB_DATASETS);
    const r = python(["-c", DRIVER], { PYTHONPATH: `${join(root, "stub")}:${out}` });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as Record<string, { rows: number; columns: string[]; learning_rate: number; output_dir: string; training: Record<string, unknown> }> & { heavy: string[]; lora: Record<string, unknown>; limited: number; startBefore: string; startAfter: string; model: string };
    const rows = (name: string) => readFileSync(join(out, "dataset", "data", `${name}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { prompt?: string });
    assert.deepEqual(seen.heavy, [], "loading data imports no training library");
    assert.equal(seen.sft!.rows, rows("sft").length);
    assert.deepEqual(seen.sft!.columns, ["completion", "prompt"]);
    assert.equal(seen.pretrain!.rows, rows("pretrain").length);
    assert.deepEqual(seen.pretrain!.columns, ["text"]);
    assert.equal(seen.dpo!.rows, 2);
    assert.deepEqual(seen.dpo!.columns, ["chosen", "prompt", "rejected"]);
    assert.equal(seen.rl!.rows, new Set([...rows("preferences"), ...rows("sft")].map((r) => r.prompt)).size, "each prompt once");
    assert.deepEqual(seen.rl!.columns, ["prompt"]);
    assert.equal(seen.distill!.rows, rows("sft").length);
    assert.equal(seen.limited, 3, "--limit");
    assert.equal(seen.sft!.learning_rate, settings.train.learning_rate);
    assert.equal(seen.dpo!.learning_rate, settings.dpo.learning_rate);
    assert.equal(seen.sft!.output_dir, join(out, "outputs", "sft"));
    assert.equal(seen.sft!.training.per_device_train_batch_size, settings.train.per_device_batch_size);
    assert.equal(seen.sft!.training.output_dir, join(out, "outputs", "sft", "checkpoints"));
    assert.equal(seen.sft!.training.bf16, true);
    assert.deepEqual(seen.lora, { r: 16, lora_alpha: 32, lora_dropout: 0.01, target_modules: [...DEFAULT_TARGET_MODULES], use_rslora: false, bias: "none", task_type: "CAUSAL_LM" });
    assert.equal(seen.startBefore, "Qwen/Qwen2.5-Coder-0.5B", "DPO starts from the base while no SFT output exists");
    assert.equal(seen.startAfter, join(out, "outputs", "sft"), "and from the SFT output once there is one");
  });

  it("the distillation collator masks the prompt and keeps the prompt's end when too long", { skip: noPython || (python(["-c", "import torch"], {}, root).status !== 0 && "torch is not installed") }, () => {
    const r = python(["-c", COLLATOR], { PYTHONPATH: out });
    assert.equal(r.status, 0, r.stderr);
    const b = JSON.parse(r.stdout) as Record<string, number[][]>;
    // Row 0: prompt 3 + completion 2 + eos; row 1: a 10-token prompt cut to its last 5.
    assert.deepEqual(b.input_ids, [[0, 0, 1, 2, 3, 4, 5, 9], [6, 7, 8, 9, 10, 11, 12, 9]]);
    assert.deepEqual(b.labels, [[-100, -100, -100, -100, -100, 4, 5, 9], [-100, -100, -100, -100, -100, 11, 12, 9]]);
    assert.deepEqual(b.attention_mask, [[0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]]);
    assert.deepEqual(b.prompts, [[0, 0, 1, 2, 3], [6, 7, 8, 9, 10]]);
    assert.deepEqual(b.prompt_attention_mask, [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]);
  });
});

describe("TRL settings", () => {
  it("are the run's own, as the pipeline computes them", () => {
    const preset = getPreset("small");
    const s = trlSettings({ preset, base: HUB_BASE });
    const o = posttrainOptions(preset, RUN_SEED);
    assert.equal(s.train.learning_rate, o.sft.learningRate);
    assert.equal(s.train.per_device_batch_size, o.sft.batchSize);
    assert.equal(s.train.max_length, o.sft.seqLen);
    assert.equal(s.train.seed, RUN_SEED);
    assert.equal(s.dpo.beta, o.dpo.beta);
    assert.equal(s.dpo.learning_rate, o.dpo.learningRate);
    assert.equal(s.distill.learning_rate, o.distill.learningRate);
    assert.deepEqual(DEFAULT_TRL_LORA.targetModules, [...DEFAULT_TARGET_MODULES]);
    assert.equal(s.model, "Qwen/Qwen2.5-Coder-0.5B");
  });

  it("a run from scratch trains every weight of its exported model; a GGUF base is named by the model it came from", () => {
    const scratch = trlSettings({ preset: getPreset("micro") });
    assert.equal(scratch.lora, null);
    assert.equal(scratch.model, "../model");
    assert.equal(guessHubId("/x/models/ggml-org--Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf")?.id, "Qwen/Qwen2.5-Coder-1.5B");
    assert.equal(guessHubId("C:\\hf\\models--bigcode--starcoder2-3b\\snapshots\\abc\\")?.id, "bigcode/starcoder2-3b");
    assert.equal(guessHubId("/x/llama-3-8b.Q4_K_M.gguf"), null);
    const gguf = trlSettings({ preset: getPreset("micro"), base: "/x/llama-3-8b.Q4_K_M.gguf" });
    assert.equal(gguf.model, "../model");
    assert.match(gguf.base.note, /GGUF file, which TRL cannot train from/);
    assert.ok(gguf.lora, "a base trains LoRA adapters");
  });

  it("are read from a run folder: its preset fitted to its minutes, its base, its data folder", () => {
    const data = join(root, "data-folder");
    const layout = runLayout(data, "20260102-000000-beef");
    mkdirSync(layout.runDir, { recursive: true });
    const job = { repo: "/r", out: "/elsewhere", preset: "tiny", backend: "wasm", resume: false, minutes: 5, base: HUB_BASE };
    writeFileSync(layout.runFile, JSON.stringify({ runId: layout.runId, job, status: "done", startedAt: "t", pid: 1 }));
    markLatest(data, layout.runId);
    mkdirSync(join(data, "feedback"), { recursive: true });
    writeFileSync(join(data, "feedback", "events.jsonl"), "");
    for (const dir of [layout.runDir, data, join(data, "runs", "latest")]) {
      const s = trlSourceFromRun(dir, { student: "Qwen/Qwen2.5-Coder-0.5B" });
      assert.equal(s.datasetDir, join(data, "dataset"), dir);
      assert.equal(s.feedbackEvents, join(data, "feedback", "events.jsonl"));
      assert.equal(s.settings.run_id, layout.runId);
      assert.deepEqual(s.settings.train.steps_in_run, fitPresetToMinutes(getPreset("tiny"), 5).steps);
      assert.equal(s.settings.model, "Qwen/Qwen2.5-Coder-0.5B");
      assert.equal(s.settings.distill.student, "Qwen/Qwen2.5-Coder-0.5B");
    }
    assert.throws(() => trlSourceFromRun(join(root, "nothing-here")), /not a RepoTune run folder/);
  });

  it("the templates are found from the sources and from the bundle's folder (out/)", () => {
    const fromSources = trlTemplatesDir();
    assert.ok(existsSync(join(fromSources, "common.py")));
    assert.equal(trlTemplatesDir(join(fromSources, "..", "..", "out")), fromSources);
  });
});

const STUB_DATASETS = `
import json

class Dataset:
    def __init__(self, rows):
        self._rows = [dict(r) for r in rows]

    @classmethod
    def from_list(cls, rows):
        return cls(rows)

    def __len__(self):
        return len(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def __getitem__(self, i):
        return self._rows[i]

    @property
    def column_names(self):
        return list(self._rows[0]) if self._rows else []

    def remove_columns(self, names):
        return Dataset([{k: v for k, v in r.items() if k not in names} for r in self._rows])

    def select(self, indices):
        return Dataset([self._rows[i] for i in indices])

def load_dataset(path, data_files=None, split=None, **kwargs):
    assert path == "json", path
    files = [data_files] if isinstance(data_files, str) else list(data_files)
    rows = Dataset([json.loads(line) for f in files for line in open(f, encoding="utf-8") if line.strip()])
    return rows if split == "train" else {"train": rows}
`;

const DRIVER = `
import json, os, sys
import common, sft, dpo, rloo, gkd

settings = common.load_settings()
def run(module, stage, argv=()):
    args = module.build_parser().parse_args(["--precision", "bf16", *argv])
    common.apply_settings(args, settings, stage)
    rows = module.load_data(args)
    return args, {"rows": len(rows), "columns": sorted(rows.column_names), "learning_rate": args.learning_rate,
                  "output_dir": args.output_dir, "training": common.training_kwargs(args, settings)}

result = {}
for key, module, stage, argv in [("sft", sft, "sft", []), ("pretrain", sft, "pretrain", ["--data", "pretrain"]),
                                  ("dpo", dpo, "dpo", []), ("rl", rloo, "rl", []), ("distill", gkd, "distill", [])]:
    args, result[key] = run(module, stage, argv)
result["limited"] = run(sft, "sft", ["--limit", "3"])[1]["rows"]
result["lora"] = common.lora_kwargs(settings)
dpo_args = run(dpo, "dpo")[0]
result["startBefore"] = common.start_model(dpo_args, settings, ["sft"])
os.makedirs(os.path.join(settings["_dir"], "outputs", "sft"), exist_ok=True)
open(os.path.join(settings["_dir"], "outputs", "sft", "config.json"), "w").write("{}")
result["startAfter"] = common.start_model(dpo_args, settings, ["sft"])
result["heavy"] = sorted(m for m in ("torch", "transformers", "trl", "peft", "accelerate") if m in sys.modules)
print(json.dumps(result))
`;

const COLLATOR = `
import json
import gkd

class Tokenizer:
    pad_token_id = 0
    eos_token_id = 9
    def __init__(self):
        self.ids = {}
    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [int(t) for t in text.split()]}

collate = gkd.PromptCompletionCollator(Tokenizer(), max_length=8)
batch = collate([{"prompt": "1 2 3", "completion": "4 5"}, {"prompt": "1 2 3 4 5 6 7 8 9 10", "completion": "11 12"}])
print(json.dumps({k: v.tolist() for k, v in batch.items()}))
`;
