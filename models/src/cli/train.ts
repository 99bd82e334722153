/** npm run train — trains all models (deterministic from the seeds in src/train/config.ts), writes artifacts. */
import { artifactsDir } from '../index.js';
import { MODEL_CONFIGS } from '../train/config.js';
import { trainModel } from '../train/pipeline.js';
import { renderCardMarkdown } from '../train/cardmd.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cardsDir = fileURLToPath(new URL('../../cards/', import.meta.url));
mkdirSync(cardsDir, { recursive: true });

const only = process.argv.slice(2);
const t0 = performance.now();
for (const cfg of MODEL_CONFIGS) {
  if (only.length && !only.includes(cfg.name)) continue;
  console.log(`training ${cfg.name} (${cfg.nTrain} rows, ${cfg.params.nTrees} trees, depth ${cfg.params.maxDepth}) …`);
  const { card } = await trainModel(cfg, artifactsDir, (s) => console.log(s));
  writeFileSync(`${cardsDir}${card.name}.md`, renderCardMarkdown(card));
  const m = card.metrics.heldOut;
  console.log(
    `  ${cfg.name}: ${card.training.trainSeconds}s, ${card.onnx.nodes} nodes, ${(card.onnx.bytes / 1024).toFixed(0)} KiB ONNX | ` +
      `MAPE ${(m.mape * 100).toFixed(2)} % (vs physics ${(m.mapeVsPhysics * 100).toFixed(2)} %), MAE ${m.mae.toFixed(3)} kg | ` +
      `baseline MAE ${m.baselineMae.toFixed(3)} kg, MAPE ${(m.baselineMape * 100).toFixed(1)} % | MAE ×${m.maeImprovement.toFixed(1)} better | ` +
      `80 % interval coverage ${(m.intervalCoverage * 100).toFixed(1)} %`,
  );
}
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${artifactsDir}`);
