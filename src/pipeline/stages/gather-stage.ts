// Stage "gather": the datasets from the repository (src/core/gather). It always runs: the
// repository may have changed in ways only reading it shows; the stages after it key on
// the dataset it wrote, so an unchanged repository still skips all the training.
import { datasetPaths } from "../../core/store/dataset-files";
import { describeReasons, gatherDataset } from "../../core/gather/gather";
import type { Stage } from "../run/stage";
import { mkdirPrivate } from "../../core/fs/private-files";

export const gatherStage: Stage = {
  name: "gather",
  alwaysRun: true,
  totalSteps: () => 100,
  inputs: () => ({ settings: {} }),
  async run(ctx) {
    const started = Date.now();
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    let lastReport = 0;
    // Made here, 0700, before gathering writes the user's code into it (core/fs/private-files.ts).
    mkdirPrivate(ctx.layout.datasetDir);
    const manifest = await gatherDataset({
      repo: ctx.job.repo,
      datasetDir: ctx.layout.datasetDir,
      skipDirs: [ctx.job.out],
      signal: ctx.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastReport < 250) return;
        lastReport = now;
        // Listing, scanning (which builds the records as it goes) and commits share one bar.
        const base = { list: 0, scan: 5, build: 5, commits: 90 }[p.phase];
        const span = { list: 5, scan: 85, build: 85, commits: 10 }[p.phase];
        const step = Math.round(base + (p.total ? (span * p.done) / p.total : 0));
        const elapsed = (now - started) / 1000;
        ctx.progress({ step, totalSteps: 100, loss: 0, lr: 0, tokensPerSec: 0, etaSec: step > 0 ? (elapsed * (100 - step)) / step : 0, rssMb: rss(), unit: `% (${p.phase}: ${p.done}/${p.total}, ${(p.bytes / 2 ** 20).toFixed(1)} MB read)` });
      },
    });
    ctx.progress({ step: 100, totalSteps: 100, loss: 0, lr: 0, tokensPerSec: 0, etaSec: 0, rssMb: rss(), unit: "%" });
    const reasons = describeReasons(manifest.excludedByReason);
    ctx.log(`${manifest.files.kept} files kept, ${manifest.files.excluded} excluded${reasons ? ` (${reasons})` : ""}; ${manifest.counts.pretrain} pretrain records, ${manifest.counts.fim} FIM, ${manifest.counts.docstring} docstring and ${manifest.counts.commit} commit pairs, ${manifest.counts.heldout} held-out probes`);
    const probesLeftOut = Object.entries(manifest.heldoutExcluded ?? {}).map(([reason, n]) => `${n} ${reason}`).join(", ");
    if (probesLeftOut) ctx.log(`held-out targets left out as uninformative: ${probesLeftOut}`);
    for (const note of manifest.notes) ctx.log(note);
    const paths = datasetPaths(ctx.layout.datasetDir);
    return {
      artifacts: { manifest: paths.manifest, pretrain: paths.pretrain, sft: paths.sft, heldout: paths.heldout },
      // The manifest carries the time it was made: only the data decides what comes after.
      contentFiles: [paths.pretrain, paths.sft, paths.heldout],
    };
  },
};
